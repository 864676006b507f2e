/**
 * `PUT /v1/profile`, `GET /v1/profile`, `GET /v1/profile/versions[/:version]`:
 * the user's JSON Resume, exported exactly as it was imported.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { readJsonText, validate } from '../../../lib/validation.ts';
import type { ProfileVersion } from '../../domain/profile/profiles.ts';
import type { CellEnv } from '../env.ts';
import { intParam } from '../query-params.ts';

function documentResponse(profile: ProfileVersion): Response {
  return new Response(profile.document, {
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'x-profile-version': String(profile.version),
      etag: `"v${profile.version}"`,
    },
  });
}

const versionParam = intParam(1, 1_000_000_000);

export const profileQuery = z.object({ version: versionParam.optional() }).strict();
export const profileVersionPath = z.object({ version: versionParam });

export const profileRoutes = new Hono<CellEnv>()
  .put('/', async (c) => {
    // The exact text, not a re-serialisation: export must return it unchanged.
    const { text, value } = await readJsonText(c);
    const stored = await c.get('services').profiles.update(c.get('userId'), value, text);
    return c.json(
      {
        version: stored.version,
        createdAt: stored.createdAt,
        bytes: Buffer.byteLength(text),
        warnings: stored.warnings,
        ...(stored.warningsOmitted > 0 ? { warningsOmitted: stored.warningsOmitted } : {}),
      },
      200,
      { 'x-profile-version': String(stored.version) },
    );
  })
  .get('/', async (c) => {
    const query = validate(profileQuery, c.req.query(), 'query');
    const profile = await c.get('services').profiles.get(c.get('userId'), query.version);
    return documentResponse(profile);
  })
  .get('/versions', async (c) => {
    const versions = await c.get('services').profiles.versions(c.get('userId'));
    return c.json({ versions });
  })
  .get('/versions/:version', async (c) => {
    const { version } = validate(profileVersionPath, c.req.param(), 'path');
    return documentResponse(await c.get('services').profiles.get(c.get('userId'), version));
  });
