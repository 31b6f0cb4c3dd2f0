/** Vocabulary shared by the core, the store and the renderer. */

/**
 * How far a frame's labels can be trusted, from nothing to a person's word. 'carried': a person's
 * correction carried along the flow from an earlier frame (machine-placed, human-originated).
 */
export const FRAME_STATES = ['unlabelled', 'predicted', 'propagated', 'carried', 'corrected', 'verified'] as const;
export type FrameState = (typeof FRAME_STATES)[number];

/**
 * Where an annotation came from: a machine ('predicted' on a key frame, 'propagated' along the flow),
 * a person ('manual', 'corrected'), or a person's correction carried along the flow ('carried').
 */
export const ANNOTATION_SOURCES = ['predicted', 'propagated', 'manual', 'corrected', 'carried'] as const;
export type AnnotationSource = (typeof ANNOTATION_SOURCES)[number];

/** Sources that a machine run must never replace. */
export const HUMAN_SOURCES = ['manual', 'corrected', 'carried'] as const;
