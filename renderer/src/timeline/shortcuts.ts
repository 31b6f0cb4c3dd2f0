/** The timeline's keyboard shortcuts, for the help panel (Timeline.tsx and the action lane handle them). */
export const TIMELINE_SHORTCUTS: readonly { keys: string; what: string }[] = [
  { keys: 'K / Shift+K', what: 'Next / previous key frame' },
  { keys: 'U / Shift+U', what: 'Next / previous unreviewed frame (not verified or corrected)' },
  { keys: 'L / Shift+L', what: 'Next / previous frame scored below the threshold' },
  { keys: '+ / −', what: 'Zoom the timeline in / out around the playhead' },
  { keys: 'Wheel, Shift+wheel', what: 'On the timeline: zoom around the pointer, pan' },
  { keys: 'Drag', what: 'On the timeline: scrub (on the ruler: pan)' },
  { keys: 'Drag on the action lane', what: 'Add an action segment with the chosen class (drag a selected one\'s ends to resize)' },
  { keys: 'I / O', what: 'Action lane focused: mark in / out at the playhead (O adds the segment)' },
  { keys: 'Enter, Del', what: 'Action lane focused: accept the selected suggestion; delete the segment (a suggestion: reject)' },
];
