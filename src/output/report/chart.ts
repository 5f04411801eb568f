/** What every chart module returns: a section of the report. */
export interface Chart {
  /** Anchor id of the section. */
  id: string;
  title: string;
  /** One or two sentences under the chart: what is drawn, over what, and how to read it. */
  caption: string;
  /** The inline SVG (or HTML) of the chart. */
  svg: string;
}
