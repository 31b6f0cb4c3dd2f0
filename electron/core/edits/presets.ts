/** Class lists the palette adds from: the default pack's own classes, COCO's 80 and Cityscapes' 19 training classes. */
import type { ClassPreset } from '../../common/edit-schemas';
import { defaultPackDir } from '../api/dff';
import { CITYSCAPES_LABELS } from '../export/cityscapes-labels';
import { readManifest } from '../models/load-pack';

const COCO_80 = `person bicycle car motorcycle airplane bus train truck boat traffic_light fire_hydrant stop_sign parking_meter bench
bird cat dog horse sheep cow elephant bear zebra giraffe backpack umbrella handbag tie suitcase frisbee skis snowboard
sports_ball kite baseball_bat baseball_glove skateboard surfboard tennis_racket bottle wine_glass cup fork knife spoon bowl
banana apple sandwich orange broccoli carrot hot_dog pizza donut cake chair couch potted_plant bed dining_table toilet tv
laptop mouse remote keyboard cell_phone microwave oven toaster sink refrigerator book clock vase scissors teddy_bear
hair_drier toothbrush`
  .split(/\s+/)
  .map((n) => n.replace(/_/g, ' '));

const hex = (rgb: readonly number[]) => `#${rgb.map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`;

/** Evenly spread, well separated hues (golden angle), fixed saturation and lightness. */
function distinctColor(i: number): string {
  const h = (i * 137.508) % 360;
  const s = 0.65;
  const l = 0.55;
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return 255 * (l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1)));
  };
  return hex([f(0), f(8), f(4)]);
}

export async function classPresets(packDir = defaultPackDir()): Promise<ClassPreset[]> {
  const manifest = await readManifest(packDir);
  return [
    {
      name: `Pack: ${manifest.name}`,
      classes: manifest.classes.map((c) => ({ name: c.name, color: hex(c.color), hasInstances: true })),
    },
    { name: 'COCO (80)', classes: COCO_80.map((name, i) => ({ name, color: distinctColor(i), hasInstances: true })) },
    {
      name: 'Cityscapes (19)',
      classes: CITYSCAPES_LABELS.filter((l) => l.trainId >= 0 && l.trainId < 19)
        .sort((a, b) => a.trainId - b.trainId)
        .map((l) => ({ name: l.name, color: hex(l.color), hasInstances: l.hasInstances })),
    },
  ];
}
