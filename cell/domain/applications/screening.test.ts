import { describe, expect, it } from 'vitest';
import type { JsonResume } from '../../../lib/ai/contract.ts';
import { screeningAnswersSchema } from '../profile/screening-answers.ts';
import { answersOf, draftAnswers, type FormQuestion, unansweredRequired } from './screening.ts';

const profile: JsonResume = {
  basics: {
    name: 'Ada Park',
    url: 'https://ada.example',
    location: { city: 'Lisbon', countryCode: 'PT' },
    profiles: [{ network: 'LinkedIn', url: 'https://linkedin.com/in/ada' }],
  },
  work: [{ name: 'Acme Pay', position: 'Senior Backend Engineer', startDate: '2019-03-01' }],
};

const text = (label: string, name: string, required = true): FormQuestion => ({
  label,
  required,
  fields: [{ name, type: 'input_text' }],
});
const yesNo = (label: string, name: string, required = true): FormQuestion => ({
  label,
  required,
  fields: [
    {
      name,
      type: 'multi_value_single_select',
      values: [
        { label: 'Yes', value: 1 },
        { label: 'No', value: 0 },
      ],
    },
  ],
});

const questions: FormQuestion[] = [
  text('First Name', 'first_name'),
  { label: 'Resume/CV', required: true, fields: [{ name: 'resume', type: 'input_file' }] },
  yesNo('Are you legally authorized to work in Portugal?', 'question_1'),
  text('What is your notice period?', 'question_2'),
  text('What are your salary expectations?', 'question_3', false),
  yesNo('Are you willing to relocate?', 'question_4'),
  text('LinkedIn Profile', 'question_5', false),
  text('Website', 'question_6', false),
  text('Where are you located?', 'question_7'),
  text('Why do you want to work at Initech?', 'question_8'),
  text('What is your current company?', 'question_9', false),
];

const stored = screeningAnswersSchema.parse({
  workAuthorisation: 'Yes, EU citizen',
  noticePeriod: '4 weeks',
  relocation: 'No, remote only',
  custom: [{ question: 'Why do you want to work at Initech?', answer: 'Your billing platform.' }],
});

describe('drafting screening answers', () => {
  it('answers from stored answers first, then grounded profile facts, and leaves channel fields alone', () => {
    const drafts = draftAnswers(questions, stored, profile);
    expect(drafts.map((d) => d.name)).not.toContain('first_name');
    expect(drafts.map((d) => d.name)).not.toContain('resume');
    expect(answersOf(drafts)).toEqual({
      question_1: '1',
      question_2: '4 weeks',
      question_4: '0',
      question_5: 'https://linkedin.com/in/ada',
      question_6: 'https://ada.example',
      question_7: 'Lisbon, PT',
      question_8: 'Your billing platform.',
      question_9: 'Acme Pay',
    });
    const byName = new Map(drafts.map((d) => [d.name, d]));
    expect(byName.get('question_1')?.source).toEqual({ kind: 'stored', key: 'workAuthorisation' });
    expect(byName.get('question_5')?.source).toEqual({
      kind: 'profile',
      pointer: '/basics/profiles/0/url',
    });
    expect(byName.get('question_8')?.source).toMatchObject({ kind: 'stored', key: 'custom' });
    // No stored salary and nothing in the profile: unanswered, but not required.
    expect(byName.get('question_3')).toMatchObject({ answer: null, source: null });
    expect(unansweredRequired(drafts)).toEqual([]);
  });

  it('marks what it cannot answer, and never puts free text into a select', () => {
    const drafts = draftAnswers(questions, screeningAnswersSchema.parse({}), {
      basics: { name: 'Bo' },
    });
    expect(unansweredRequired(drafts).map((d) => d.name)).toEqual([
      'question_1',
      'question_2',
      'question_4',
      'question_7',
      'question_8',
    ]);
    const odd = draftAnswers(
      [yesNo('Are you willing to relocate?', 'q')],
      screeningAnswersSchema.parse({ relocation: 'Maybe, for the right team' }),
      profile,
    );
    expect(odd[0]).toMatchObject({ answer: null, source: null });
  });

  it('does not take a former employer for the current one', () => {
    const drafts = draftAnswers([text('Current company', 'q')], screeningAnswersSchema.parse({}), {
      work: [{ name: 'Globex', startDate: '2015-01-01', endDate: '2019-01-01' }],
    });
    expect(drafts[0]?.answer).toBeNull();
  });

  it('validates stored answers strictly', () => {
    expect(screeningAnswersSchema.safeParse({ noticePeriod: '' }).success).toBe(false);
    expect(screeningAnswersSchema.safeParse({ favouriteColour: 'blue' }).success).toBe(false);
    expect(
      screeningAnswersSchema.safeParse({ custom: [{ question: 'Why?', answer: 'x', extra: 1 }] })
        .success,
    ).toBe(false);
  });
});
