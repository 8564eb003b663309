// What happened to each uploaded file: created, updated, unchanged, or failed with the
// server's reason.
import type { FileOutcome } from '../../api/types.ts';

export function OutcomeTable({ outcomes }: { outcomes: FileOutcome[] }) {
  return (
    <table class="outcomes">
      <caption>Upload results</caption>
      <thead>
        <tr>
          <th scope="col">File</th>
          <th scope="col">Outcome</th>
          <th scope="col">Chunks</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {outcomes.map((outcome) => (
          <tr key={outcome.file} data-status={outcome.status}>
            <td>{outcome.file}</td>
            <td>
              <span class={`status status-${outcome.status}`}>{outcome.status}</span>
            </td>
            <td>{outcome.chunkCount ?? '—'}</td>
            <td>{outcome.error ? `${outcome.error.message} (${outcome.error.code})` : ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
