// How deeply JSON nests, measured without recursion. Values nested thousands of levels deep
// parse fine but make every recursive walk over them (JSON.stringify, structuredClone, the
// canonical form of valueOneOf) overflow the stack; such a throw outside the per-item rules would
// fail a whole chunk. So nesting is bounded where values come in, and measured here with an
// explicit stack, in time linear in the value.

/** The deepest nesting a stored value may have (contract §13): `[]` and `{}` are one level. */
export const MAX_JSON_DEPTH = 64;

/** Whether a parsed JSON value nests arrays and objects more than `max` levels deep. */
export function nestsDeeperThan(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    const { value: current, depth } = top;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > max) return true;
    const children = Array.isArray(current) ? current : Object.values(current);
    for (const child of children) if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

/**
 * Whether JSON text nests brackets more than `max` levels deep, read before parsing it: brackets
 * inside strings do not count. Text that is not JSON is left for the parser to refuse.
 */
export function textNestsDeeperThan(text: string, max: number = MAX_JSON_DEPTH): boolean {
  // Nesting deeper than `max` takes more than `max` brackets.
  if (text.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c)
        i++; // a backslash escapes the next character
      else if (code === 0x22) inString = false;
    } else if (code === 0x22) inString = true;
    else if (code === 0x5b || code === 0x7b) {
      if (++depth > max) return true;
    } else if (code === 0x5d || code === 0x7d) depth--;
  }
  return false;
}
