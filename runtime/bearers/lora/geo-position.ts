/**
 * Where a radio with `hal: sim` stands on the simulated air (metres) when its `position` is a place on Earth: a
 * sinusoidal projection (y = metres north of the equator, x = metres east of Greenwich along the radio's parallel).
 * The air only computes distances between radios: north-south distances are exact, east-west ones exact between
 * radios on one parallel; radios on different parallels are off east-west by about |lon| · 111 km · Δcos(lat)
 * (≈ 70 m per km of north-south separation at 5°E, 52°N). Give `[x, y]` for a simulation where that matters.
 */
import type { GeoPosition, LoraConfig } from './lora-config.js';

const METRES_PER_DEGREE = 111_320;

export function airPositionOf(position: LoraConfig['position']): { x: number; y: number } {
  if (position === undefined) return { x: 0, y: 0 };
  if (Array.isArray(position)) return { x: position[0] ?? 0, y: position[1] ?? 0 };
  const g = position as GeoPosition;
  return { x: g.lon * METRES_PER_DEGREE * Math.cos((g.lat * Math.PI) / 180), y: g.lat * METRES_PER_DEGREE };
}
