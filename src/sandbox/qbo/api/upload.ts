import { faults, QboFault } from "../faults.js";
import type { EntityName, RealmState } from "../state.js";
import { entityByPath } from "../entities/operations.js";
import { findEntity, insertEntity } from "../entities/store.js";
import { parseMultipart } from "./multipart.js";

/**
 * POST /upload: pairs file_metadata_N (JSON Attachable) with file_content_N. Only the file size
 * is kept, not the bytes, so snapshots stay small.
 */
export function runUpload(realm: RealmState, body: unknown, contentType: string, now: number, baseUrl: string): Record<string, unknown> {
  if (!Buffer.isBuffer(body)) throw faults.invalidProperty("Content-Type (expected multipart/form-data)");
  const parts = parseMultipart(body, contentType);
  const indices = [...new Set(parts.map((p) => /^file_(?:metadata|content)_(\d+)$/.exec(p.name)?.[1]).filter((i): i is string => i !== undefined))];
  if (indices.length === 0) throw faults.requiredMissing("file_content_0");
  const results = indices.sort((a, b) => Number(a) - Number(b)).map((index) => {
    try {
      const metaPart = parts.find((p) => p.name === `file_metadata_${index}`);
      const content = parts.find((p) => p.name === `file_content_${index}`);
      if (!content) throw faults.requiredMissing(`file_content_${index}`);
      let meta: Record<string, unknown> = {};
      if (metaPart) {
        try {
          meta = JSON.parse(metaPart.data.toString("utf8")) as Record<string, unknown>;
        } catch {
          throw faults.invalidProperty(`file_metadata_${index}`);
        }
      }
      for (const ref of (Array.isArray(meta.AttachableRef) ? meta.AttachableRef : []) as { EntityRef?: { type?: string; value?: string } }[]) {
        const type = ref.EntityRef?.type ?? "";
        const entity: EntityName | undefined = entityByPath(type);
        const id = String(ref.EntityRef?.value ?? "");
        if (!entity || !findEntity(realm, entity, id)) throw faults.invalidReference(type || "Entity", id, "AttachableRef");
      }
      const fileName = (meta.FileName as string | undefined) ?? content.filename ?? `attachment-${index}`;
      const stored = insertEntity(realm, "Attachable", {
        ...meta,
        FileName: fileName,
        ContentType: (meta.ContentType as string | undefined) ?? content.contentType ?? "application/octet-stream",
        Size: content.data.length,
      }, now);
      stored.FileAccessUri = `/v3/company/${realm.realmId}/download/${stored.Id}`;
      stored.TempDownloadUri = `${baseUrl}/v3/company/${realm.realmId}/download/${stored.Id}`;
      return { Attachable: stored };
    } catch (error) {
      if (error instanceof QboFault && error.status < 500) return { Fault: error.body().Fault };
      throw error;
    }
  });
  return { AttachableResponse: results };
}
