/** Vocabulary shared by the core, the store and the renderer. */

/** How far a frame's labels can be trusted, from nothing to a person's word. */
export const FRAME_STATES = ['unlabelled', 'predicted', 'propagated', 'corrected', 'verified'] as const;
export type FrameState = (typeof FRAME_STATES)[number];

/** Where an annotation came from: a machine ('predicted' on a key frame, 'propagated' along the flow) or a person. */
export const ANNOTATION_SOURCES = ['predicted', 'propagated', 'manual', 'corrected'] as const;
export type AnnotationSource = (typeof ANNOTATION_SOURCES)[number];
