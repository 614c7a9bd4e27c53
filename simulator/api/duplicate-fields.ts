/**
 * The fields a JSON text names twice in one object, by path (`metadata.name`, `spec.containers[0].name`), as
 * kube-apiserver's strict decoder reports them (`duplicate field "metadata.name"`). JSON.parse keeps the last value
 * silently, so the text is scanned; it must already be valid JSON.
 */
export function duplicateFields(text: string): string[] {
  const found: string[] = [];
  let i = 0;
  const space = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const string = (): string => {
    let end = i + 1;
    while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
    const value = JSON.parse(text.slice(i, end + 1)) as string;
    i = end + 1;
    return value;
  };
  const value = (path: string): void => {
    space();
    const c = text[i];
    if (c === '"') {
      string();
    } else if (c === '{') {
      i++;
      const seen = new Set<string>();
      space();
      while (text[i] !== '}') {
        space();
        const key = string();
        const at = path ? `${path}.${key}` : key;
        if (seen.has(key)) found.push(at);
        seen.add(key);
        space();
        i++; // ':'
        value(at);
        space();
        if (text[i] === ',') i++;
      }
      i++;
    } else if (c === '[') {
      i++;
      space();
      for (let index = 0; text[i] !== ']'; index++) {
        value(`${path}[${index}]`);
        space();
        if (text[i] === ',') i++;
        space();
      }
      i++;
    } else {
      while (i < text.length && !',}] \t\n\r'.includes(text[i] as string)) i++;
    }
  };
  value('');
  return found;
}
