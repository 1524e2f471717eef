// An answer given before its request's body has arrived in full closes the connection after it:
// the rest of that body is then never read. Keeping the connection instead would make node read
// and drop the whole body (up to any size) before the next request could come.
import type { FastifyReply, FastifyRequest } from 'fastify';

/** How long a client that does not read the answer may keep the connection. */
const CLOSE_GRACE_MS = 2000;

export function closeIfBodyUnread(request: FastifyRequest, reply: FastifyReply): void {
  if (request.raw.complete || reply.raw.headersSent) return;
  void reply.header('Connection', 'close');
  // node closes the socket once the answer is written; this covers a client that never reads it.
  const socket = request.raw.socket;
  setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
}
