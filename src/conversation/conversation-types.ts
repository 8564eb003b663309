// The vocabulary of a conversation: the earlier turns a question comes with, and how the
// question was turned into the query that retrieval searched.

export interface ConversationTurn {
  role: 'user' | 'assistant';
  content: string;
}

/** `model`: the fast model wrote the query; `rule`: salient terms of earlier turns were carried over; `none`: no history, or a question that stands alone. */
export type RewriteMethod = 'model' | 'rule' | 'none';

export interface QueryRewrite {
  /** What retrieval searches. */
  query: string;
  method: RewriteMethod;
  /** The rule's carried-over words (empty for the model or no rewrite). */
  carried: string[];
  cached: boolean;
  /** Why the rule answered although a model is configured, e.g. the deadline passed. */
  reason?: string;
}
