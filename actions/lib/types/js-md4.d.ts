/** The part of js-md4 (no typings of its own) the NTLM client uses. */
declare module 'js-md4' {
  const md4: { arrayBuffer(message: string | ArrayBuffer | Uint8Array): ArrayBuffer };
  export default md4;
}
