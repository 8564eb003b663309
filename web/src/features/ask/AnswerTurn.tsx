// One turn of the conversation: the question, then the answer as it streams in and as it
// ends: its mode, "not found" as such, citation markers, the note, and the trace.
import type { Citation } from '../../api/types.ts';
import { ErrorNotice } from '../../components/ErrorNotice.tsx';
import { headingTrail } from '../../components/format.ts';
import { TraceWaterfall } from '../trace/TraceWaterfall.tsx';
import { answerParts } from './answer-markers.ts';
import type { ConversationTurn } from './conversation.ts';

export function AnswerTurn({ turn, onCite }: { turn: ConversationTurn; onCite(citation: Citation): void }) {
  const response = turn.response;
  const streaming = !response && !turn.error;
  const byNumber = new Map((response?.citations ?? []).map((citation) => [citation.n, citation]));
  return (
    <li class="turn">
      <p class="question">
        <span class="visually-hidden">You asked: </span>
        {turn.question}
      </p>
      <article class="answer" aria-busy={streaming} aria-label={`Answer to: ${turn.question}`}>
        {streaming && (
          <>
            <p class="muted">{turn.sources.length > 0 ? `Writing from ${turn.sources.length} passages…` : 'Retrieving passages…'}</p>
            <p class="answer-text streaming" data-testid="streaming-answer">
              {turn.streamed}
            </p>
          </>
        )}
        {turn.resetReason && <p class="notice">The model failed mid-answer ({turn.resetReason}); its text was discarded.</p>}
        <ErrorNotice error={turn.error} title="The question could not be answered" />
        {response && (
          <>
            <p class="answer-badges">
              <span class={`badge mode-${response.mode}`}>{response.mode === 'generated' ? 'Generated answer' : 'Extractive answer'}</span>{' '}
              <span class="badge">{response.retrieval} retrieval</span>
            </p>
            {response.query !== undefined && response.query !== response.question && (
              <p class="rewrite" data-testid="rewritten-query">
                Searched for “{response.query}”{response.rewrite && response.rewrite !== 'none' ? ` (the follow-up rewritten by ${response.rewrite === 'model' ? 'the model' : 'rule'})` : ''}
              </p>
            )}
            {!response.found ? (
              <p class="not-found" role="status">
                {response.answer}
              </p>
            ) : (
              <p class="answer-text">
                {answerParts(response.answer, new Set(byNumber.keys())).map((part, index) =>
                  part.kind === 'text' ? (
                    part.text
                  ) : (
                    <button key={index} type="button" class="cite" aria-label={`Citation ${part.n}: ${byNumber.get(part.n)!.source}`} onClick={() => onCite(byNumber.get(part.n)!)}>
                      [{part.n}]
                    </button>
                  ),
                )}
              </p>
            )}
            {response.note && <p class="note">{response.note}</p>}
            {response.citations.length > 0 && (
              <ol class="citations" aria-label="Citations">
                {response.citations.map((citation) => (
                  <li key={citation.n}>
                    <button type="button" class="link" onClick={() => onCite(citation)}>
                      [{citation.n}] {citation.source}
                    </button>{' '}
                    <span class="muted">
                      {headingTrail(citation.headingPath)}
                      {citation.page !== null && ` · page ${citation.page}`}
                    </span>
                  </li>
                ))}
              </ol>
            )}
            <details class="trace-details">
              <summary>Trace: {[...response.trace.stages].sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0)).map((stage) => stage.stage).join(' → ')}</summary>
              <TraceWaterfall trace={response.trace} usage={response.usage} label="Answer trace" />
            </details>
          </>
        )}
      </article>
    </li>
  );
}
