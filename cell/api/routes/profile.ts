/**
 * `PUT /v1/profile`, `GET /v1/profile`, `GET /v1/profile/versions[/:version]`:
 * the user's JSON Resume, exported exactly as it was imported.
 * `POST /v1/profile/preview.pdf`: a draft rendered without being stored.
 * `GET`/`PUT /v1/profile/answers`: the user's reusable screening answers.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { readJsonBody, readJsonText, validate } from '../../../lib/validation.ts';
import { RESUME_TEMPLATES } from '../../domain/applications/pdf-renderer.ts';
import { previewProfile } from '../../domain/profile/preview.ts';
import type { ProfileVersion } from '../../domain/profile/profiles.ts';
import {
  ScreeningAnswersStore,
  screeningAnswersSchema,
} from '../../domain/profile/screening-answers.ts';
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

export const previewQuery = z
  .object({ template: z.enum(RESUME_TEMPLATES).optional() })
  .strict()
  .meta({ description: "The template (default: the cell's PDF_TEMPLATE)" });

export const profileRoutes = new Hono<CellEnv>()
  .get('/answers', async (c) =>
    c.json(await new ScreeningAnswersStore(c.get('services').sql).get(c.get('userId'))),
  )
  .put('/answers', async (c) => {
    const answers = await readJsonBody(c, screeningAnswersSchema);
    return c.json(
      await new ScreeningAnswersStore(c.get('services').sql).put(c.get('userId'), answers),
    );
  })
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
  .post('/preview.pdf', async (c) => {
    const { template } = validate(previewQuery, c.req.query(), 'query');
    const { value } = await readJsonText(c);
    const services = c.get('services');
    const preview = await previewProfile(
      services.renderer,
      value,
      template ?? services.workflowSettings.PDF_TEMPLATE,
    );
    return c.body(new Uint8Array(preview.pdf), 200, {
      'content-type': 'application/pdf',
      'cache-control': 'no-store',
      'content-disposition': 'inline; filename="preview.pdf"',
      ...(preview.pages === null ? {} : { 'x-pdf-pages': String(preview.pages) }),
      'x-profile-warnings': String(preview.warnings.length),
      ...(preview.missingGlyphs
        ? {
            'x-pdf-uncovered-count': String(preview.missingGlyphs.count),
            'x-pdf-uncovered-chars': preview.missingGlyphs.chars.join(','),
          }
        : {}),
    });
  })
  .get('/versions', async (c) => {
    const versions = await c.get('services').profiles.versions(c.get('userId'));
    return c.json({ versions });
  })
  .get('/versions/:version', async (c) => {
    const { version } = validate(profileVersionPath, c.req.param(), 'path');
    return documentResponse(await c.get('services').profiles.get(c.get('userId'), version));
  });
