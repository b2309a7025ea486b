import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { packageDir } from './provenance.ts';

/**
 * resvg draws text only with a font it was given. DejaVu Sans (Debian's
 * fonts-dejavu-core; covers Greek, ∞, −, superscripts) is used when present;
 * otherwise KaTeX's own TrueType fonts, which ship with the katex dependency
 * (Latin and digits in SansSerif, Greek in Main/Math), so text is never
 * silently dropped. System fonts are not scanned: the output does not depend
 * on what else is installed, and loading is fast.
 */
const DEJAVU_CANDIDATES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', '/usr/share/fonts/TTF/DejaVuSans.ttf', '/usr/share/fonts/dejavu/DejaVuSans.ttf'];

export interface PngFonts {
  readonly files: readonly string[];
  readonly family: string;
}

export function pngFonts(): PngFonts {
  const dejavu = DEJAVU_CANDIDATES.find((p) => existsSync(p));
  const katexFonts = join(packageDir('katex') ?? 'node_modules/katex', 'dist', 'fonts');
  const katex = ['KaTeX_SansSerif-Regular.ttf', 'KaTeX_SansSerif-Bold.ttf', 'KaTeX_Main-Regular.ttf', 'KaTeX_Math-Italic.ttf'].map((f) => join(katexFonts, f));
  if (dejavu) {
    const bold = dejavu.replace('DejaVuSans.ttf', 'DejaVuSans-Bold.ttf');
    return { files: [dejavu, ...(existsSync(bold) ? [bold] : []), ...katex], family: 'DejaVu Sans' };
  }
  return { files: katex, family: 'KaTeX_SansSerif' };
}

export interface Raster {
  readonly width: number;
  readonly height: number;
  /** RGBA, row-major */
  readonly pixels: Buffer;
  readonly png: Buffer;
}

/** Rasterise a standalone SVG (with xmlns) at `scale`× its size (2 for sharp text on screens and in print). */
export function rasterise(svg: string, scale = 2, fonts: PngFonts = pngFonts()): Raster {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: {
      fontFiles: [...fonts.files],
      loadSystemFonts: false,
      defaultFontFamily: fonts.family,
      sansSerifFamily: fonts.family,
    },
  });
  const image = resvg.render();
  return { width: image.width, height: image.height, pixels: image.pixels, png: image.asPng() };
}

export function svgToPng(svg: string, scale = 2, fonts: PngFonts = pngFonts()): Buffer {
  return rasterise(svg, scale, fonts).png;
}
