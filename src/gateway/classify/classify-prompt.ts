// The prompt for one batch of texts to classify, and the JSON shape asked of the model.
// Texts are numbered from 1 within the batch; each is put on one line (whitespace folded)
// so a text cannot start a line that reads as another text's number.
import type { ChatMessage } from '../../providers/chat-client.js';

export const UNKNOWN_LABEL = 'UNKNOWN';
export const DEFAULT_LABELS = ['POSITIVE', 'NEGATIVE', 'NEUTRAL'] as const;

export interface ClassifyInstructions {
  labels: readonly string[];
  instructions?: string;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export function classifyMessages(task: ClassifyInstructions, texts: readonly string[], retry = false): ChatMessage[] {
  const system = [
    'You are a text classifier. Give every numbered text exactly one label from the allowed labels, written exactly as listed.',
    'Answer with JSON only: {"labels": [{"id": <text number>, "label": "<one allowed label>"}]}, one entry for each text.',
  ].join(' ');
  const user = [
    `Labels: ${task.labels.join(', ')}`,
    ...(task.instructions ? [`Instructions: ${oneLine(task.instructions)}`] : []),
    ...(retry ? [`Note: an earlier answer used a label that is not allowed. Use only: ${task.labels.join(', ')}.`] : []),
    `Task: classify each of the ${texts.length} texts below with one label.`,
    '',
    'Texts:',
    ...texts.map((text, i) => `[${i + 1}] ${oneLine(text)}`),
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: user },
  ];
}

/** Structured output for a batch: the labels constrained to the allowed set where the provider enforces enums. */
export function classifySchema(labels: readonly string[]): Record<string, unknown> {
  return {
    type: 'object',
    properties: {
      labels: {
        type: 'array',
        items: {
          type: 'object',
          properties: { id: { type: 'integer' }, label: { type: 'string', enum: [...labels] } },
          required: ['id', 'label'],
        },
      },
    },
    required: ['labels'],
  };
}
