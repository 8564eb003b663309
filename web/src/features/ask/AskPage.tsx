// A conversation over one collection. Each question goes to `ask` streamed, with the answered
// turns before it as history when the server's ask takes history (read from its OpenAPI
// document); otherwise each question is answered on its own, and the page says so.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/client.ts';
import type { Citation } from '../../api/types.ts';
import { useLoad } from '../../components/use-load.ts';
import { CollectionHeader } from '../collections/CollectionHeader.tsx';
import { AnswerTurn } from './AnswerTurn.tsx';
import { CitationDialog } from './CitationDialog.tsx';
import { historyOf, type ConversationTurn } from './conversation.ts';

export function AskPage({ collection }: { collection: string }) {
  const [turns, setTurns] = useState<ConversationTurn[]>([]);
  const [question, setQuestion] = useState('');
  const [topK, setTopK] = useState(5);
  const [rerank, setRerank] = useState(false);
  const [busy, setBusy] = useState(false);
  const [citation, setCitation] = useState<Citation | null>(null);
  const takesHistory = useLoad(() => api.askTakesHistory(), []);
  const nextId = useRef(1);
  const inFlight = useRef<AbortController | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  useEffect(() => () => inFlight.current?.abort(), []);

  function update(id: number, change: (turn: ConversationTurn) => Partial<ConversationTurn>) {
    setTurns((current) => current.map((turn) => (turn.id === id ? { ...turn, ...change(turn) } : turn)));
  }

  async function ask(event?: Event) {
    event?.preventDefault();
    const text = question.trim();
    if (!text || busy) return;
    const id = nextId.current++;
    const history = takesHistory.data ? historyOf(turns) : undefined;
    setTurns((current) => [...current, { id, question: text, streamed: '', sources: [], response: null, error: null, resetReason: null }]);
    setQuestion('');
    setBusy(true);
    const controller = new AbortController();
    inFlight.current = controller;
    try {
      const response = await api.askStreaming(
        collection,
        { question: text, topK, ...(rerank ? { rerank: true } : {}), ...(history && history.length > 0 ? { history } : {}) },
        {
          onSources: (sources) => update(id, () => ({ sources })),
          onToken: (token) => update(id, (turn) => ({ streamed: turn.streamed + token })),
          onReset: (reason) => update(id, () => ({ streamed: '', resetReason: reason })),
        },
        controller.signal,
      );
      update(id, () => ({ response }));
    } catch (failure) {
      if (!controller.signal.aborted) update(id, () => ({ error: failure as Error }));
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  }

  return (
    <main>
      <CollectionHeader collection={collection} current="ask" />
      <p class="muted" data-testid="history-support">
        {takesHistory.loading
          ? ''
          : takesHistory.data
            ? 'Follow-up questions are sent with the conversation so far, so "and in Paris?" is understood.'
            : "This server's ask takes no conversation history: each question is answered on its own."}
      </p>
      <ol class="conversation" aria-label="Conversation">
        {turns.map((turn) => (
          <AnswerTurn key={turn.id} turn={turn} onCite={setCitation} />
        ))}
      </ol>
      <form class="ask-form" onSubmit={(event) => void ask(event)}>
        <label class="field">
          <span>Question</span>
          <textarea
            ref={input}
            name="question"
            rows={2}
            value={question}
            required
            onInput={(event) => setQuestion(event.currentTarget.value)}
            onKeyDown={(event) => {
              // Enter asks, Shift+Enter breaks the line, as in chat tools.
              if (event.key === 'Enter' && !event.shiftKey) {
                event.preventDefault();
                void ask();
              }
            }}
            placeholder="How much is reimbursed for a hotel night?"
          />
        </label>
        <div class="form-row">
          <label class="field inline">
            <span>Passages</span>
            <input type="number" min={1} max={20} value={topK} onInput={(event) => setTopK(Number(event.currentTarget.value) || 5)} />
          </label>
          <label class="checkbox">
            <input type="checkbox" checked={rerank} onChange={(event) => setRerank(event.currentTarget.checked)} /> Rerank with the model
          </label>
          <button type="submit" class="primary" disabled={busy || question.trim() === ''}>
            {busy ? 'Answering…' : 'Ask'}
          </button>
          <button type="button" disabled={busy || turns.length === 0} onClick={() => setTurns([])}>
            New conversation
          </button>
        </div>
      </form>
      <CitationDialog collection={collection} citation={citation} onClose={() => setCitation(null)} />
    </main>
  );
}
