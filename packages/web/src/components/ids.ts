/** A new object id (the schema allows letters, digits, "_" and "-", up to 64). */
export function newId(prefix: string): string {
  const rand = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${Date.now().toString(36)}${rand}`;
}
