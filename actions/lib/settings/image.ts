/**
 * Container image references as Docker/OCI understand them: `[registry[:port]/]path[:tag][@algorithm:hex]`.
 * scalegate requires a tag or a digest so that a rendered manifest always names one exact build.
 */

const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?)`;
const pathComponent = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const name = `(?:${domain}/)?${pathComponent}(?:/${pathComponent})*`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const referencePattern = new RegExp(`^(${name})(?::(${tag}))?(?:@(${digest}))?$`);

export interface ImageReference {
  name: string;
  tag?: string;
  digest?: string;
}

/** Parses an image reference; returns a reason string when it is not a valid, pinned reference. */
export function parseImageReference(ref: string): ImageReference | string {
  const match = referencePattern.exec(ref);
  if (!match || match[1]!.length > 255) return 'expected an image reference such as acme/web:1.4.2';
  const [, imageName, imageTag, imageDigest] = match;
  // As Docker normalizes names: a first component without '.' or ':' (and not localhost) is a path, not a registry,
  // so it must be lowercase like every path component.
  const first = imageName!.split('/')[0]!;
  if (
    imageName!.includes('/') &&
    !/[.:]/.test(first) &&
    first !== 'localhost' &&
    first !== first.toLowerCase()
  )
    return 'expected an image reference such as acme/web:1.4.2 (repository names are lowercase)';
  if (imageDigest?.startsWith('sha256:') && !/^sha256:[0-9a-f]{64}$/.test(imageDigest))
    return 'expected a sha256 digest of 64 lowercase hex digits';
  if (!imageTag && !imageDigest) return 'expected an image reference with a tag or a digest (e.g. web:1.4.2)';
  return {
    name: imageName!,
    ...(imageTag && { tag: imageTag }),
    ...(imageDigest && { digest: imageDigest }),
  };
}

/** A label-safe version for the `version` label: the tag, else the first 12 hex digits of the digest. */
export function imageVersion(image: ImageReference): string {
  const raw = image.tag ?? image.digest!.split(':')[1]!.slice(0, 12);
  return (
    raw
      .replace(/^[^A-Za-z0-9]+/, '')
      .slice(0, 63)
      .replace(/[^A-Za-z0-9]+$/, '') || 'unknown'
  );
}
