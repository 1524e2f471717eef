// An actor as OS1 clients read it (its ActionBy schema): {id, name?, appID?}, mapped field by
// field. Never null: a record stored before actors were always known shows its tenant.
import { Actor } from '@container-service/batch-domain';

export interface ActionByJson {
  id: string;
  name?: string;
  appID?: string;
}

export function presentActionBy(actor: Actor | null, tenantId: string): ActionByJson {
  if (actor === null) return { id: tenantId };
  return { id: actor.id, ...(actor.name !== undefined ? { name: actor.name } : {}), ...(actor.appID !== undefined ? { appID: actor.appID } : {}) };
}
