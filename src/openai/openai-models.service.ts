// GET /v1/models in OpenAI's list shape: one `sift/<collection>` model per collection (it
// answers from that collection with citations), the gateway's chat models as plain chat,
// and the rerank API's models.
import { Inject, Injectable } from '@nestjs/common';
import { GatewayModels } from '../gateway/gateway-models.js';
import { RerankApiService } from '../reranking/rerank-api.service.js';
import { VECTOR_STORE, type VectorStore } from '../store/vector-store.js';
import type { OpenAiModel } from './openai-types.js';

export const COLLECTION_MODEL_PREFIX = 'sift/';

/** Models with no date of their own are dated by the server's start. */
const STARTED = Math.floor(Date.now() / 1000);

function seconds(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? STARTED : Math.floor(ms / 1000);
}

@Injectable()
export class OpenAiModelsService {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    private readonly gateway: GatewayModels,
    private readonly rerankApi: RerankApiService,
  ) {}

  /** `visible` leaves out the collections the caller's key may not see. */
  async list(visible: (collection: string) => boolean = () => true): Promise<{ object: 'list'; data: OpenAiModel[] }> {
    const collections = (await this.store.listCollections()).filter((collection) => visible(collection.name));
    const data: OpenAiModel[] = [
      ...collections.map((collection) => ({ id: `${COLLECTION_MODEL_PREFIX}${collection.name}`, object: 'model' as const, created: seconds(collection.createdAt), owned_by: 'sift' })),
      ...this.gateway.configured.map((model) => ({ id: model.model, object: 'model' as const, created: STARTED, owned_by: model.provider })),
      ...this.rerankApi.models.map((id) => ({ id, object: 'model' as const, created: STARTED, owned_by: 'sift' })),
    ];
    return { object: 'list', data };
  }
}
