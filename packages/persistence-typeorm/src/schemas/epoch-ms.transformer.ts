// bigint columns come back as strings from some drivers; epoch milliseconds fit in a double.
export const epochMs = {
  from: (value: string | number | null) => (value === null ? null : Number(value)),
  to: (value: number | null) => value,
};
