// uploadFile(): uploads a CSV file from disk without reading it into memory. fs.openAsBlob gives
// a Blob backed by the file; fetch's FormData body reads it in chunks as it sends, and knows its
// size up front, so a 200 000-row file costs no more memory than a small one.
import fs from 'node:fs';
import path from 'node:path';
import type { BatchClient, UploadOptions } from './batch-client';
import type { Operation } from './types';

/** Uploads `file` as a batch of `operation`s on `containerType`; answers the new batch id. */
export async function uploadFile(client: BatchClient, containerType: string, operation: Operation, file: string, options: UploadOptions = {}): Promise<string> {
  const blob = await fs.openAsBlob(file, { type: 'text/csv' });
  return client.upload(containerType, operation, blob, { fileName: path.basename(file), ...options });
}
