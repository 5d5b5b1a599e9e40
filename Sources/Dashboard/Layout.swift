import Foundation

/// The page shell every page shares: navigation, stylesheet, and the small script that
/// keeps charts of running runs current (pages read the same without it).
enum Layout {
    enum Section: String, CaseIterable {
        case experiments = "Experiments", runs = "Runs", sweeps = "Sweeps", models = "Models"
        case serving = "Serving", drift = "Drift"

        var path: String {
            switch self {
            case .experiments: return "/"
            case .runs: return "/runs"
            case .sweeps: return "/sweeps"
            case .models: return "/models"
            case .serving: return "/serving"
            case .drift: return "/drift"
            }
        }
    }

    static func page(title: String, section: Section?, readOnly: Bool, _ body: HTML) -> HTML {
        let links = Section.allCases.map { item -> HTML in
            item == section
                ? "<a href=\"\(item.path)\" class=\"current\" aria-current=\"page\">\(item.rawValue)</a>"
                : "<a href=\"\(item.path)\">\(item.rawValue)</a>"
        }
        let mode: HTML = readOnly ? "<span class=\"mode\">read-only</span>" : "<span class=\"mode write\">writes enabled (token)</span>"
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Ringmaster</title>
            <style>\(stylesheet)</style></head>
            <body><header><a class="brand" href="/">Ringmaster</a><nav>\(links)</nav>\(mode)</header>
            <main>\(body)</main>
            <script src="/live.js" defer></script>
            </body></html>
            """
    }

    /// A message box; `kind` is `error` or `note`.
    static func message(_ text: String, kind: String = "error") -> HTML {
        "<p class=\"message \(kind)\" role=\"\(kind == "error" ? "alert" : "status")\">\(text)</p>"
    }

    /// A two-column table of key/value pairs, sorted by key.
    static func keyValues(_ pairs: [String: String], empty: String = "none") -> HTML {
        guard !pairs.isEmpty else { return "<p class=\"muted\">\(empty)</p>" }
        let rows = pairs.sorted { $0.key < $1.key }.map { key, value -> HTML in "<tr><th>\(key)</th><td>\(value)</td></tr>" }
        return "<table class=\"kv\">\(rows)</table>"
    }

    static func time(_ date: Date) -> String {
        date.formatted(.iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: false).timeSeparator(.colon))
    }

    static let stylesheet: HTML = .trusted("""
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
        header{display:flex;align-items:center;gap:18px;background:#1d2330;color:#fff;padding:10px 20px}
        header a{color:#cfd6e4;text-decoration:none}header a.current{color:#fff;font-weight:600;border-bottom:2px solid #E69F00}
        header nav{display:flex;gap:14px}.brand{font-weight:700;color:#fff!important;font-size:16px}
        .mode{margin-left:auto;font-size:12px;color:#9aa5b8}.mode.write{color:#E69F00}
        main{padding:16px 24px;max-width:1400px}h1{font-size:22px;margin:4px 0 12px}h2{font-size:17px;margin:22px 0 8px}
        table{border-collapse:collapse;background:#fff;margin:6px 0 12px}th,td{padding:4px 10px;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
        th{background:#eef1f5;font-weight:600}#runs td,#runs th{white-space:nowrap;max-width:240px;overflow:hidden;text-overflow:ellipsis}details{margin:6px 0}summary{cursor:pointer;color:#0060a0}td.num{text-align:right;font-variant-numeric:tabular-nums}
        table.kv th{background:#f4f6f9;font-weight:500;color:#4a5568}
        a{color:#0060a0}.muted{color:#6b7280}.diff{background:#fff4d6}
        .status-running{color:#0072B2;font-weight:600}.status-failed{color:#D55E00;font-weight:600}.status-finished{color:#009E73}
        .message{padding:8px 12px;border-radius:4px}.message.error{background:#fde8e1;border:1px solid #D55E00}.message.note{background:#e7f1fa;border:1px solid #56B4E9}
        form.search input[type=text]{width:520px;font-family:ui-monospace,monospace}form{margin:8px 0}
        .charts{display:flex;flex-wrap:wrap;gap:12px}svg.chart{background:#fff;border:1px solid #e3e6eb}
        svg .title{font-size:14px;font-weight:600;fill:#1d2330}svg .tick{font-size:11px;fill:#4a5568}
        svg .axis-label{font-size:12px;fill:#1d2330}svg .legend{font-size:12px;fill:#1d2330}svg .label{font-size:12px;fill:#1d2330}
        svg .grid{stroke:#e8ebf0}svg .axis{stroke:#4a5568}svg .pc-tick{font-size:10px}
        .pager{display:flex;gap:12px;align-items:center}.lineage ul{margin:2px 0 2px 18px;padding:0}.lineage li{list-style:"↳ "}
        code{font-family:ui-monospace,monospace;font-size:12.5px}.chain{font-family:ui-monospace,monospace;font-size:12.5px}
        """)

    /// Polls `data-live` elements (the charts of a running run) every 2 s and swaps in the fresh
    /// fragment; stops once the fragment says the run is no longer running.
    static let script = ("""
        document.querySelectorAll('[data-live]').forEach(function(el){
          var timer=setInterval(function(){
            fetch(el.getAttribute('data-live')).then(function(r){return r.ok?r.text():null}).then(function(t){
              if(t===null)return;el.innerHTML=t;
              var s=el.querySelector('[data-status]');if(s&&s.getAttribute('data-status')!=='running')clearInterval(timer);
            }).catch(function(){});
          },2000);
        });
        """)
}
