import { useEffect, useState } from 'react';
import type { CityscapesLabel, CityscapesMapping } from '../../../electron/common/api';
import type { ErrorInfo } from '../../../electron/common/errors';
import { client, errorInfoOf } from '../api/client';
import { InlineError } from '../components/Dialog';

/** Project class → Cityscapes label, edited in place; each change is saved in the project at once. */
export function CityscapesTable() {
  const [labels, setLabels] = useState<CityscapesLabel[]>([]);
  const [rows, setRows] = useState<CityscapesMapping[]>([]);
  const [error, setError] = useState<ErrorInfo | null>(null);

  useEffect(() => {
    void Promise.all([client.call('export.cityscapesLabels', {}), client.call('export.cityscapesMapping', {})])
      .then(([l, m]) => {
        setLabels(l.filter((x) => x.id >= 0));
        setRows(m);
      })
      .catch((e) => setError(errorInfoOf(e)));
  }, []);

  const change = async (classId: number, value: string) => {
    try {
      setRows(await client.call('export.cityscapesMappingSet', { entries: { [classId]: value === '' ? null : Number(value) } }));
      setError(null);
    } catch (e) {
      setError(errorInfoOf(e));
    }
  };

  return (
    <div className="cityscapes-table" data-testid="cityscapes-table">
      <table className="data-table">
        <thead>
          <tr>
            <th>Project class</th>
            <th>Cityscapes label</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.classId}>
              <td>{r.className}</td>
              <td>
                <select
                  value={r.from === 'table' ? String(r.cityscapesId) : ''}
                  data-testid={`cityscapes-map-${r.classId}`}
                  className={r.cityscapesId === null ? 'unmapped' : undefined}
                  onChange={(e) => void change(r.classId, e.target.value)}
                >
                  <option value="">{r.from === 'name' ? `by name: ${labels.find((l) => l.id === r.cityscapesId)?.name ?? r.cityscapesId}` : 'none (not exported)'}</option>
                  {labels.map((l) => (
                    <option key={l.id} value={l.id}>
                      {l.id} · {l.name}
                    </option>
                  ))}
                </select>
              </td>
            </tr>
          ))}
          {rows.length === 0 && (
            <tr>
              <td colSpan={2} className="empty-note">
                This project has no label classes.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <InlineError error={error} testId="cityscapes-error" />
    </div>
  );
}
