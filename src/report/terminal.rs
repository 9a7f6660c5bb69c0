//! The short terminal summary. Returns text; the binary prints it.

use std::fmt::Write as _;

use owo_colors::{OwoColorize, Style};

use super::{Position, ReportKind, ScreenReport, Status, Window};

/// How many prohibited/pending/review positions the summary lists before "... and N more".
const MAX_LISTED: usize = 10;

fn style(status: Status) -> Style {
    match status {
        Status::Prohibited | Status::Blocked => Style::new().red().bold(),
        Status::Pending => Style::new().yellow().bold(),
        Status::Review => Style::new().yellow(),
        Status::Cleared => Style::new().cyan(),
        Status::Clear | Status::Allowed => Style::new().green(),
        Status::DivestOnly => Style::new().yellow().bold(),
        Status::Invalid => Style::new().magenta(),
    }
}

fn paint(text: &str, s: Style, color: bool) -> String {
    if color {
        text.style(s).to_string()
    } else {
        text.to_string()
    }
}

fn location(p: &Position) -> String {
    match &p.sheet {
        Some(sheet) => format!("{} [{}] row {}", p.file, sheet, p.row),
        None => format!("{} line {}", p.file, p.row),
    }
}

fn security(p: &Position) -> String {
    let name = p.security.as_deref().or(p.issuer.as_deref()).unwrap_or("");
    let id = p
        .isin
        .as_deref()
        .or(p.ticker.as_deref())
        .or(p.cusip.as_deref())
        .unwrap_or("");
    match (name.is_empty(), id.is_empty()) {
        (false, false) => format!("{name} ({id})"),
        (false, true) => name.to_string(),
        (true, false) => id.to_string(),
        (true, true) => "(no identifier)".into(),
    }
}

fn money(v: f64) -> String {
    let s = format!("{:.2}", v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}{out}.{frac}", if v < 0.0 { "-" } else { "" })
}

/// Render the summary. `color` turns ANSI colours on.
pub fn render_summary(report: &ScreenReport, color: bool) -> String {
    let mut s = String::new();
    let orders = report.kind == ReportKind::Orders;
    let title = if orders {
        format!(
            "NS-CMIC check of orders on their trade dates (run {})",
            report.as_of
        )
    } else {
        format!("NS-CMIC screen as of {}", report.as_of)
    };
    let _ = writeln!(
        s,
        "{} {}: {title}",
        paint("holdscreen", Style::new().bold(), color),
        report.run.version,
    );
    let age = report
        .list
        .age_days
        .map(|d| format!(", {d} days old"))
        .unwrap_or_default();
    let sdn = if report.list.sdn_entity_count > 0 {
        format!(" + {} SDN entities", report.list.sdn_entity_count)
    } else {
        String::new()
    };
    let _ = writeln!(
        s,
        "List:   {} ({} NS-CMIC entries{sdn}{age})",
        report.list.source, report.list.entry_count
    );
    let _ = writeln!(
        s,
        "Inputs: {} file(s), {} {}",
        report.inputs.len(),
        report.summary.positions,
        if orders { "order(s)" } else { "position(s)" }
    );
    s.push('\n');
    for t in &report.summary.by_status {
        if t.positions == 0 && matches!(t.status, Status::Blocked | Status::Cleared) && !orders {
            continue;
        }
        let mv = t
            .market_value
            .iter()
            .map(|c| {
                format!(
                    "{} {}",
                    if c.currency.is_empty() {
                        "(no ccy)"
                    } else {
                        &c.currency
                    },
                    money(c.amount)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let label = format!("{:<11}", t.status.as_str());
        let _ = writeln!(
            s,
            "  {} {:>7}   {}",
            paint(&label, style(t.status), color),
            t.positions,
            mv
        );
    }
    let listed: &[Status] = if orders {
        &[
            Status::Blocked,
            Status::DivestOnly,
            Status::Review,
            Status::Invalid,
        ]
    } else {
        &[
            Status::Blocked,
            Status::Prohibited,
            Status::Pending,
            Status::Review,
            Status::Invalid,
        ]
    };
    for &status in listed {
        let list: Vec<&Position> = report.with_status(status).collect();
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(
            s,
            "\n{}:",
            paint(&capitalise(status.as_str()), style(status), color)
        );
        for p in list.iter().take(MAX_LISTED) {
            let what = match status {
                Status::Invalid => p.notes.first().cloned().unwrap_or_default(),
                _ if orders => format!(
                    "{} {} on {}: {} (OFAC {}): {}",
                    p.side.as_deref().unwrap_or("?"),
                    p.quantity.map(|q| format!("{q}")).unwrap_or_default(),
                    p.trade_date.map(|d| d.to_string()).unwrap_or_default(),
                    p.entity_name.as_deref().unwrap_or("?"),
                    p.entity_id.as_deref().unwrap_or("?"),
                    p.action.as_deref().unwrap_or("")
                ),
                _ => {
                    let window = match p.window {
                        Some(Window::Open) => match p.days_left {
                            Some(d) => format!(", window open, {d} days left"),
                            None => ", window open".into(),
                        },
                        Some(Window::Closed) => ", window closed".into(),
                        None => String::new(),
                    };
                    format!(
                        "{} (OFAC {}) by {}{}",
                        p.entity_name.as_deref().unwrap_or("?"),
                        p.entity_id.as_deref().unwrap_or("?"),
                        p.basis.map(|b| b.as_str()).unwrap_or("?"),
                        window
                    )
                }
            };
            let _ = writeln!(s, "  {}: {} -> {}", location(p), security(p), what);
        }
        if list.len() > MAX_LISTED {
            let _ = writeln!(
                s,
                "  ... and {} more (see the report)",
                list.len() - MAX_LISTED
            );
        }
    }
    let warnings: Vec<&String> = report
        .warnings
        .iter()
        .chain(report.list.warnings.iter().take(3))
        .collect();
    if !warnings.is_empty() {
        s.push('\n');
        for w in warnings {
            let _ = writeln!(
                s,
                "{} {w}",
                paint("warning:", Style::new().yellow().bold(), color)
            );
        }
        if report.list.warnings.len() > 3 {
            let _ = writeln!(
                s,
                "  ... and {} more list warnings (see the Evidence sheet)",
                report.list.warnings.len() - 3
            );
        }
    }
    s
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_format() {
        assert_eq!(money(1234567.891), "1,234,567.89");
        assert_eq!(money(-12.5), "-12.50");
        assert_eq!(money(0.0), "0.00");
        assert_eq!(money(999.0), "999.00");
    }
}
