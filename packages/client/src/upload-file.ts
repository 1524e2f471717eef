// uploadFile(): uploads a CSV file from disk without reading it into memory: the file is read
// as the request is sent, at the pace the connection takes it (see multipart-upload.ts for why
// this is not fetch with fs.openAsBlob), so a 200 000-row file costs no more memory than a small one.
import fs from 'node:fs';
import path from 'node:path';
import type { BatchClient, UploadOptions } from './batch-client';
import type { Operation } from './types';

/** Uploads `file` as a batch of `operation`s on `containerType`; answers the new batch id. */
export async function uploadFile(client: BatchClient, containerType: string, operation: Operation, file: string, options: UploadOptions = {}): Promise<string> {
  const { size } = await fs.promises.stat(file);
  // Opened only when the request is sent: a missing file fails above, before any request.
  const open = () => fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  return client.uploadStream(containerType, operation, { size, open }, { fileName: path.basename(file), ...options });
}
