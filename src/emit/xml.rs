//! `config.xml` as omero-py's `ConfigXml.save()` writes it: the properties
//! in the `default` profile and in its `__ACTIVE__` copy, each profile
//! stamped with `omero.config.version` 5.1.0, and the `templates.xml`
//! include. XML 1.0 cannot hold most control characters, and the two
//! bookkeeping keys belong to the format, so those are refused.

use super::{not_carried, Refusal, Written};
use crate::document::Format;
use crate::python::etree::escape_attrib as escape;
use indexmap::IndexMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// The keys `ConfigXml` manages itself in every profile.
const BOOKKEEPING: [&str; 2] = ["omero.config.version", "omero.config.profile"];

/// The config.xml text; `generated` fills the "generated at" comment
/// (Python's `time.ctime()` format, see [`generated_now`]).
pub fn write(stored: &IndexMap<String, String>, generated: &str, force: bool) -> Result<Written, Refusal> {
    let mut altered = Vec::new();
    let mut properties = String::new();
    for (key, value) in stored {
        if BOOKKEEPING.contains(&key.as_str()) {
            not_carried(
                key,
                "config.xml manages this key itself",
                Format::Xml,
                force,
                &mut altered,
            )?;
            continue;
        }
        let mut value = value.clone();
        if key.chars().any(|c| !is_xml_char(c)) || value.chars().any(|c| !is_xml_char(c)) {
            not_carried(
                key,
                "XML 1.0 cannot hold control characters other than tab and line breaks",
                Format::Xml,
                force,
                &mut altered,
            )?;
            value.retain(is_xml_char);
        }
        let key: String = key.chars().filter(|c| is_xml_char(*c)).collect();
        properties.push_str(&property(&key, &value));
    }
    let version = property("omero.config.version", "5.1.0");
    let text = format!(
        "<icegrid><!--\n\n\tThis file was generated at {generated} by the OmeroConfig system.\n\
         \tDo not edit directly but see `omero config` for details.\n\
         \tThis file may be included into your IceGrid application.\n\n--><properties id=\"__ACTIVE__\">{profile}{version}{properties}</properties>\
         <properties id=\"default\">{version}{properties}</properties><include file=\"templates.xml\" /></icegrid>",
        profile = property("omero.config.profile", "default"),
    );
    Ok(Written {
        text,
        altered,
        warnings: Vec::new(),
    })
}

fn property(name: &str, value: &str) -> String {
    format!("<property name=\"{}\" value=\"{}\" />", escape(name), escape(value))
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The current time as `time.ctime()` prints it (UTC), or the time in
/// `SOURCE_DATE_EPOCH` so that builds can be reproduced.
pub fn generated_now() -> String {
    let from_env = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok());
    let seconds = from_env.unwrap_or_else(|| {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0))
    });
    ctime(seconds)
}

/// `time.ctime(seconds)` in UTC: `Thu Jan  1 00:00:00 1970`.
fn ctime(seconds: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = seconds.div_euclid(86_400);
    let time = seconds.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{} {} {day:>2} {:02}:{:02}:{:02} {year}",
        DAYS[days.rem_euclid(7) as usize],
        MONTHS[(month - 1) as usize],
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_matches_python() {
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(ctime(1_795_803_242), "Fri Nov 27 18:14:02 2026");
        assert_eq!(ctime(951_782_400), "Tue Feb 29 00:00:00 2000");
    }

    #[test]
    fn refuses_what_xml_cannot_hold() {
        let stored = crate::emit::stored_from(&[("a", "x\u{1}y")]);
        assert_eq!(
            write(&stored, "X", false).err().and_then(|r| r.key).as_deref(),
            Some("a")
        );
        let forced = write(&stored, "X", true).ok();
        assert!(forced
            .as_ref()
            .is_some_and(|w| w.text.contains("value=\"xy\"") && w.altered == ["a"]));
        let stored = crate::emit::stored_from(&[("omero.config.version", "5.1.0")]);
        assert!(write(&stored, "X", false).is_err());
    }
}
