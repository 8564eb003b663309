// Reads a server-sent event stream from a fetch response into {event, data} records.
export interface ServerEvent {
  event: string;
  data: any;
}

export async function readEvents(response: Response, onEvent?: (event: ServerEvent) => void): Promise<ServerEvent[]> {
  const events: ServerEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(bytes, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      const parsed = { event, data: data === undefined ? undefined : JSON.parse(data) };
      events.push(parsed);
      onEvent?.(parsed);
    }
  }
  return events;
}
