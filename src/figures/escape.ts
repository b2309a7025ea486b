/** Escape text for XML/HTML content and double-quoted attribute values (SVG figures and the report page). */
export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
