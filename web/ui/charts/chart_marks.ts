/**
 * What a traffic chart draws besides its series: a hatch over the periods before the first count ("no
 * data", not zero), the kernel drops that matter (to_columns.ts SIGNIFICANT_DROP_SHARE), and the stripes
 * that tell upload bars from download bars without their colour (WCAG 1.4.1).
 */
import type uPlot from "uplot";
import { isSignificantDrop, type TrafficColumns } from "./to_columns.ts";

/** Half-open x span [from, to) of period `i` in UTC seconds as drawn: bars are centred on their start. */
function periodSpan(columns: TrafficColumns, i: number, isBars: boolean): [number, number] {
  const { ts } = columns;
  const step = ts.length > 1 ? (i > 0 ? ts[i] - ts[i - 1] : ts[1] - ts[0]) : 3600;
  return isBars ? [ts[i] - step / 2, ts[i] + step / 2] : [ts[i], ts[i] + step];
}

/** Shades each period that lost a significant share of its packets: a light band and a strip on top. */
export function dropMarks(columns: TrafficColumns, color: string, isBars: boolean): uPlot.Plugin {
  return {
    hooks: {
      draw: (u) => {
        const { top, height } = u.bbox;
        const ctx = u.ctx;
        ctx.save();
        ctx.fillStyle = color;
        for (let i = 0; i < columns.ts.length; i++) {
          if (!isSignificantDrop(columns, i)) continue;
          const [from, to] = periodSpan(columns, i, isBars);
          const left = u.valToPos(from, "x", true);
          const right = u.valToPos(to, "x", true);
          ctx.globalAlpha = 0.12;
          ctx.fillRect(left, top, right - left, height);
          ctx.globalAlpha = 1;
          ctx.fillRect(left, top, right - left, 4 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

/** Hatches the periods before the first count and writes `label` ("no data") over them if it fits. */
export function noDataHatch(
  columns: TrafficColumns,
  style: { color: string; text: string; panel: string; label: string; isBars: boolean },
): uPlot.Plugin {
  return {
    hooks: {
      drawClear: (u) => {
        const first = columns.firstKnown ?? 0;
        if (first === 0) return;
        const { left, top, width, height } = u.bbox;
        const end = first < columns.ts.length
          ? Math.min(
            left + width,
            Math.max(left, u.valToPos(periodSpan(columns, first, style.isBars)[0], "x", true)),
          )
          : left + width;
        const ctx = u.ctx;
        const gap = 8 * devicePixelRatio;
        ctx.save();
        ctx.beginPath();
        ctx.rect(left, top, end - left, height);
        ctx.clip();
        ctx.strokeStyle = style.color;
        ctx.globalAlpha = 0.45;
        ctx.lineWidth = devicePixelRatio;
        ctx.beginPath();
        for (let x = left - height; x < end; x += gap) {
          ctx.moveTo(x, top + height);
          ctx.lineTo(x + height, top);
        }
        ctx.stroke();
        ctx.globalAlpha = 1;
        ctx.font = `${13 * devicePixelRatio}px system-ui, sans-serif`;
        const textWidth = ctx.measureText(style.label).width;
        if (textWidth + 16 * devicePixelRatio < end - left) {
          const x = (left + end - textWidth) / 2;
          const y = top + height / 2;
          ctx.fillStyle = style.panel;
          ctx.fillRect(
            x - 6 * devicePixelRatio,
            y - 12 * devicePixelRatio,
            textWidth + 12 * devicePixelRatio,
            20 * devicePixelRatio,
          );
          ctx.fillStyle = style.text;
          ctx.fillText(style.label, x, y + 3 * devicePixelRatio);
        }
        ctx.restore();
      },
    },
  };
}

/** Upload's bar fill: its colour crossed by darker diagonal stripes, so it differs from download in more than hue. */
export function stripedFill(color: string): CanvasPattern | string {
  const size = Math.round(8 * devicePixelRatio);
  const tile = document.createElement("canvas");
  tile.width = tile.height = size;
  const ctx = tile.getContext("2d");
  if (!ctx) return color;
  ctx.fillStyle = color;
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = "rgba(0, 0, 0, 0.3)";
  ctx.lineWidth = 2 * devicePixelRatio;
  ctx.beginPath();
  // Two strokes, so the stripe runs on across tile edges.
  ctx.moveTo(0, size);
  ctx.lineTo(size, 0);
  ctx.moveTo(-size / 2, size / 2);
  ctx.lineTo(size / 2, -size / 2);
  ctx.moveTo(size / 2, size * 1.5);
  ctx.lineTo(size * 1.5, size / 2);
  ctx.stroke();
  return ctx.createPattern(tile, "repeat") ?? color;
}
