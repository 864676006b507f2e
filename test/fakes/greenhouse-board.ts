/**
 * Fake Greenhouse Job Board API application endpoint,
 * `POST /v1/boards/{board_token}/jobs/{id}`, as documented in
 * reference/greenhouse/_applications.md: HTTP Basic auth with the API key as
 * username, multipart/form-data (or JSON) fields, required first_name,
 * last_name and email, a valid email, no URL in names or phone, and a resume
 * of a supported type and more than 0 bytes.
 */
import {
  basicUser,
  type FakeApiOptions,
  FakeApplicationApi,
  type FakeOutcome,
  formFields,
  isFile,
  json,
} from './http-fake.ts';

export interface FakeGreenhouseOptions extends FakeApiOptions {
  apiKey: string;
  /** Live jobs as `board_token/id`; any job when omitted. */
  jobs?: string[];
}

const SUPPORTED = /\.(pdf|docx?|txt|rtf)$/i;
const URL_LIKE = /https?:\/\/|www\./i;

export async function startFakeGreenhouse(
  options: FakeGreenhouseOptions,
): Promise<FakeApplicationApi> {
  const handle = async (request: Request): Promise<FakeOutcome> => {
    const match = /^\/v1\/boards\/([^/]+)\/jobs\/([^/]+)$/.exec(new URL(request.url).pathname);
    if (request.method !== 'POST' || !match) {
      return { kind: 'respond', response: json(404, { status: 404, error: 'Not found' }) };
    }
    if (basicUser(request) !== options.apiKey) {
      return { kind: 'respond', response: json(401, { status: 401, error: 'Unauthorized' }) };
    }
    const [, board, jobId] = match;
    if (options.jobs && !options.jobs.includes(`${board}/${jobId}`)) {
      return { kind: 'respond', response: json(404, { status: 404, error: 'Job not found' }) };
    }
    const type = request.headers.get('content-type') ?? '';
    const fields: Record<string, unknown> = type.startsWith('multipart/form-data')
      ? await formFields(await request.formData())
      : type.startsWith('application/json')
        ? ((await request.json()) as Record<string, unknown>)
        : {};
    const problems: string[] = [];
    for (const name of ['first_name', 'last_name', 'email']) {
      const value = fields[name];
      if (typeof value !== 'string' || value.length === 0) problems.push(`${name} is required`);
      else if (value.length > 255) problems.push(`${name} is too long`);
    }
    if (typeof fields.email === 'string' && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(fields.email)) {
      problems.push('email is invalid');
    }
    for (const name of ['first_name', 'last_name', 'phone']) {
      if (typeof fields[name] === 'string' && URL_LIKE.test(fields[name] as string)) {
        problems.push(`${name} must not contain a URL`);
      }
    }
    const resume = fields.resume;
    if (resume !== undefined) {
      if (!isFile(resume) || !SUPPORTED.test(resume.fileName))
        problems.push('resume type unsupported');
      else if (resume.bytes.length === 0) problems.push('resume is empty');
    }
    if (problems.length > 0) {
      return { kind: 'respond', response: json(422, { status: 422, error: problems.join('; ') }) };
    }
    return {
      kind: 'accept',
      application: { board, jobId, ...fields },
      response: () => json(200, { success: 'Candidate saved successfully' }),
    };
  };
  return new FakeApplicationApi(handle, options).start();
}
