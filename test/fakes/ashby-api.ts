/**
 * Fake Ashby `POST /applicationForm.submit`: Basic auth with the API key as
 * username, multipart/form-data with `jobPostingId`, an `applicationForm`
 * JSON of `fieldSubmissions` ({path, value}) and file parts referenced by
 * name from file fields. Like Ashby, it refuses with `success: false` and a
 * 200 status (e.g. for the documented test address that simulates a
 * validation failure), and answers `{success: true, results}` otherwise.
 */
import { randomUUID } from 'node:crypto';
import {
  basicUser,
  type FakeApiOptions,
  FakeApplicationApi,
  type FakeOutcome,
  formFields,
  isFile,
  json,
} from './http-fake.ts';

export interface FakeAshbyOptions extends FakeApiOptions {
  apiKey: string;
}

/** Submitting this email makes the fake refuse, like Ashby's documented validation test. */
export const ASHBY_INVALID_EMAIL = 'test@ashbyhq.com';

export async function startFakeAshby(options: FakeAshbyOptions): Promise<FakeApplicationApi> {
  const handle = async (request: Request): Promise<FakeOutcome> => {
    if (request.method !== 'POST' || new URL(request.url).pathname !== '/applicationForm.submit') {
      return { kind: 'respond', response: json(404, { success: false, errors: ['not found'] }) };
    }
    if (basicUser(request) !== options.apiKey) {
      return { kind: 'respond', response: json(401, { success: false, errors: ['unauthorized'] }) };
    }
    if (!(request.headers.get('content-type') ?? '').startsWith('multipart/form-data')) {
      return {
        kind: 'respond',
        response: json(415, { success: false, errors: ['multipart only'] }),
      };
    }
    const fields = await formFields(await request.formData());
    let form: { fieldSubmissions?: { path?: unknown; value?: unknown }[] } | undefined;
    try {
      form = JSON.parse(String(fields.applicationForm));
    } catch {
      form = undefined;
    }
    const submissions = new Map(
      (form?.fieldSubmissions ?? []).map((entry) => [String(entry.path), entry.value]),
    );
    const errors: string[] = [];
    if (typeof fields.jobPostingId !== 'string') errors.push('jobPostingId is required');
    if (!submissions.get('_systemfield_name')) errors.push('Name is required');
    const email = submissions.get('_systemfield_email');
    if (typeof email !== 'string' || !email.includes('@') || email === ASHBY_INVALID_EMAIL) {
      errors.push('Email is invalid');
    }
    const resumeRef = submissions.get('_systemfield_resume');
    const resume = typeof resumeRef === 'string' ? fields[resumeRef] : undefined;
    if (resumeRef !== undefined && !isFile(resume)) errors.push('Resume file part is missing');
    if (errors.length > 0) {
      return { kind: 'respond', response: json(200, { success: false, errors }) };
    }
    const applicationId = randomUUID();
    return {
      kind: 'accept',
      application: {
        jobPostingId: fields.jobPostingId,
        applicationId,
        fieldSubmissions: Object.fromEntries(submissions),
        resume,
      },
      response: () =>
        json(200, {
          success: true,
          results: { applicationId, submittedFormInstance: { id: randomUUID() } },
        }),
    };
  };
  return new FakeApplicationApi(handle, options).start();
}
