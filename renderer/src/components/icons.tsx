/** Small stroke icons drawn inline (no icon font: the glyphs are not on every system). */
const paths = {
  first: 'M5 4v12M15 4l-7 6 7 6',
  back10: 'M10 4l-6 6 6 6M16 4l-6 6 6 6',
  back: 'M12 4l-6 6 6 6',
  forward: 'M8 4l6 6-6 6',
  forward10: 'M4 4l6 6-6 6M10 4l6 6-6 6',
  last: 'M15 4v12M5 4l7 6-7 6',
  close: 'M5 5l10 10M15 5L5 15',
} as const;

export type IconName = keyof typeof paths;

export function Icon({ name, size = 16 }: { name: IconName; size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d={paths[name]} />
    </svg>
  );
}
