/// The report's inline style sheet: a plain page for a laptop screen, and print rules (A4, no
/// navigation, sections kept whole). No fonts or images are fetched; colours carry no meaning
/// that dashes and markers do not also carry.
enum ReportStyleSheet {
    // Kept free of the characters '<' and '&' so that the page stays well-formed XML.
    static let css = """
        :root { color-scheme: light; }
        body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #111; background: #fff;
               max-width: 1120px; margin: 0 auto; padding: 16px 24px 32px; }
        h1 { font-size: 24px; margin: 2px 0 10px; }
        h2 { font-size: 18px; margin: 26px 0 8px; padding-bottom: 3px; border-bottom: 2px solid #111; }
        h3 { font-size: 14px; margin: 14px 0 6px; }
        .kicker { margin: 0; font-size: 12px; text-transform: uppercase; letter-spacing: .08em; color: #555; }
        .plate { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-weight: 700; letter-spacing: .04em;
                 border: 1.5px solid #111; border-radius: 3px; padding: 0 4px; background: #fffbe6; white-space: nowrap; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; vertical-align: top; padding: 4px 8px; border-bottom: 1px solid #d5d5d5; }
        thead th { border-bottom: 1.5px solid #111; font-size: 13px; }
        table.audit { width: auto; min-width: 60%; margin-bottom: 8px; }
        table.audit th { width: 9em; color: #333; font-weight: 600; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .summary { font-size: 15px; margin: 8px 0; }
        nav a { color: #0b4f8a; }
        .note, .when { color: #555; font-size: 12.5px; }
        .empty { font-style: italic; color: #444; }
        .map-row { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
        figure { margin: 0; }
        svg { max-width: 100%; height: auto; }
        svg text { font-family: system-ui, sans-serif; }
        svg.trip-map { border: 1px solid #999; }
        .legend { flex: 1 1 200px; max-width: 320px; }
        td.mini { width: 156px; }
        td.mini svg { width: 150px; }
        .legend ul { list-style: none; padding: 0; margin: 0; }
        .legend li { margin: 3px 0; white-space: nowrap; }
        .legend svg { vertical-align: middle; }
        .camera-label { font-size: 7.5px; fill: #666; }
        .ring-label { font-size: 11px; font-weight: 700; fill: #666; }
        .time { font-size: 9px; font-weight: 600; fill: #111; paint-order: stroke; stroke: #fff; stroke-width: 2.6px; }
        .axis { font-size: 10.5px; fill: #333; }
        .order { font-size: 8px; font-weight: 700; fill: #000; paint-order: stroke; stroke: #fff; stroke-width: 2px; }
        table.trips td:last-child { font-size: 12.5px; }
        table.trips svg { vertical-align: -2px; }
        .severity { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
        .severity-critical, .severity-high { font-weight: 700; }
        .decision-accept strong { text-decoration: underline; }
        .decision-none { color: #555; font-style: italic; }
        footer { margin-top: 28px; font-size: 13px; }
        code { font-size: 12.5px; }
        @media print {
          @page { size: A4; margin: 14mm; }
          body { max-width: none; padding: 0; font-size: 10pt; }
          nav { display: none; }
          h2 { break-after: avoid; }
          section, tr, figure, .legend { break-inside: avoid; }
          .plate { background: none; }
          svg.trip-map { border-color: #000; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        }

        """
}
