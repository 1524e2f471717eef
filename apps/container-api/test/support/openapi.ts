// Reading the served OpenAPI document in tests: the headers an operation documents, whether as
// header parameters or as the security schemes it requires (the identity headers are schemes, so
// that Swagger UI's Authorize fills them).
/* eslint-disable @typescript-eslint/no-explicit-any -- the document is plain JSON */

export const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** Every operation of the document with its path and method. */
export function operationsOf(document: any): { path: string; method: string; operation: any }[] {
  return Object.entries<any>(document.paths).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item[method] !== undefined).map((method) => ({ path, method, operation: item[method] })),
  );
}

/** The request headers an operation documents: its header parameters and the headers of every scheme it requires. */
export function documentedHeaders(document: any, operation: any): string[] {
  const parameters = (operation.parameters ?? []).filter((p: any) => p.in === 'header').map((p: any) => p.name as string);
  const schemes = document.components?.securitySchemes ?? {};
  const fromSecurity = (operation.security ?? document.security ?? []).flatMap((requirement: Record<string, unknown>) =>
    Object.keys(requirement)
      .map((name) => schemes[name])
      .filter((scheme: any) => scheme?.type === 'apiKey' && scheme.in === 'header')
      .map((scheme: any) => scheme.name as string),
  );
  return [...parameters, ...fromSecurity];
}
