//! `user_agent.device.name`: uap-core's device family.
//!
//! Phones and tablets by their model tokens, then uap-core's catch-alls: a case-insensitive
//! list of crawler words anywhere near the start (`Spider`), a list of four-letter prefixes of
//! old feature-phone user agents (`Generic Feature Phone`: this is what `argocd-...` and
//! `proxy-...` get), and finally `Mac OS` anywhere (`Mac`).

use std::borrow::Cow;

use super::scan::{contains_ignore_case, positions};

/// uap-core's crawler words, lowercased (matched case-insensitively, starting within the first
/// 100 characters).
const SPIDER_WORDS: &[&str] = &[
    "bot",
    "bubing",
    "zao",
    "borg",
    "dbot",
    "oegp",
    "silk",
    "xenu",
    "zeal",
    "ccbot",
    "crawl",
    "htdig",
    "lycos",
    "slurp",
    "teoma",
    "voila",
    "yahoo",
    "sogou",
    "cibra",
    "nutch",
    "daumoa",
    "daum",
    "genieo",
    "ichiro",
    "larbin",
    "pompos",
    "scrapy",
    "snappy",
    "speedy",
    "spider",
    "msnbot",
    "msrbot",
    "vortex",
    "crawler",
    "favicon",
    "indexer",
    "riddler",
    "scooter",
    "scraper",
    "scrubby",
    "whatweb",
    "winhttp",
    "bingbot",
    "bingpreview",
    "openbot",
    "gigabot",
    "furlbot",
    "polybot",
    "seekbot",
    "archiver",
    "icarus6j",
    "mogimogi",
    "netvibes",
    "blitzbot",
    "altavista",
    "charlotte",
    "findlinks",
    "retreiver",
    "tlsprober",
    "wordpress",
    "seznambot",
    "prooxibot",
    "wsr-agent",
    "squrl java",
    "etaospider",
    "paperlibot",
    "sputnikbot",
    "a6-indexer",
    "netresearch",
    "searchsight",
    "baiduspider",
    "yisouspider",
    "icc-crawler",
    "http%20client",
    "python-urllib",
    "dataparksearch",
    "converacrawler",
    "screaming frog",
    "appengine-google",
    "yahoocachesystem",
    "fast-webcrawler",
    "sogou pic spider",
    "semanticdiscovery",
    "innovazion crawler",
    "facebookexternalhit",
    "google-http-java-client",
    "blogbridge",
    "iltrovatore-setaccio",
    "internetarchive",
    "gomezagent",
    "webthumbnail",
    "heritrix",
    "newsgator",
    "pagepeeker",
    "reaper",
    "zooshot",
    "holmes",
    "nl-crawler",
    "pingdom",
    "statuscake",
    "whatsapp",
    "masscan",
    "google web preview",
    "qwantify",
    "yeti",
    "ogscrper",
    "reciperadar",
    "gptbot",
    "google-inspectiontool",
];

/// Crawler words that count only at the very start (`^NING`, `^Java/`, ...).
const SPIDER_PREFIXES: &[&str] = &["NING", "Java/", "JNLP/", "vortex", "voyager"];

/// uap-core's feature-phone prefixes (case-insensitive, at the start of the user agent).
const FEATURE_PHONE_PREFIXES: &[&str] = &[
    "1207", "3gso", "4thp", "501i", "502i", "503i", "504i", "505i", "506i", "6310", "6590", "770s",
    "802s", "a wa", "acer", "acs-", "airn", "alav", "asus", "attw", "au-m", "aur ", "aus ", "abac",
    "acoo", "aiko", "alco", "alca", "amoi", "anex", "anny", "anyw", "aptu", "arch", "argo",
    "bmobile", "bell", "bird", "bw-n", "bw-u", "beck", "benq", "bilb", "blac", "c55/", "cdm-",
    "chtm", "capi", "comp", "cond", "dall", "dbte", "dc-s", "dica", "ds-d", "ds12", "dait", "devi",
    "dmob", "doco", "dopo", "dorado", "erk0", "esl8", "ex300", "ez40", "ez60", "ez70", "ezos",
    "ezze", "elai", "emul", "eric", "ezwa", "fake", "fly-", "fly_", "g-mo", "g1 u", "g560", "gf-5",
    "grun", "gene", "good", "grad", "hcit", "hd-m", "hd-p", "hd-t", "hei-", "hp i", "hpip", "hs-c",
    "htc ", "htc-", "htca", "htcg", "htcp", "htcs", "htct", "htc_", "haie", "hita", "huaw", "hutc",
    "i-20", "i-go", "i-ma", "i-mobile", "i230", "iac", "ig01", "im1k", "inno", "iris", "jata",
    "kddi", "kgt", "kpt ", "kwc-", "klon", "lexi", "lg g", "lg-a", "lg-b", "lg-c", "lg-d", "lg-f",
    "lg-g", "lg-k", "lg-l", "lg-m", "lg-o", "lg-p", "lg-s", "lg-t", "lg-u", "lg-w", "lg/k", "lg/l",
    "lg/u", "lg50", "lg54", "lge-", "lge/", "leno", "m1-w", "m3ga", "m50/", "maui", "mc01", "mc21",
    "mcca", "medi", "meri", "mio8", "mioa", "mo01", "mo02", "mode", "modo", "mot ", "mot-", "mt50",
    "mtp1", "mtv ", "mate", "maxo", "merc", "mits", "mobi", "motv", "mozz", "n100", "n101", "n102",
    "n202", "n203", "n300", "n302", "n500", "n502", "n505", "n700", "n701", "n710", "nec-", "nem-",
    "newg", "neon", "netf", "noki", "nzph", "o2 x", "o2-x", "opwv", "owg1", "opti", "oran", "ot-s",
    "p800", "pand", "pg-1", "pg-2", "pg-3", "pg-6", "pg-8", "pg-c", "pg13", "phil", "pn-2", "pt-g",
    "palm", "pana", "pire", "pock", "pose", "psio", "qa-a", "qc-2", "qc-3", "qc-5", "qc-7", "qc07",
    "qc12", "qc21", "qc32", "qc60", "qci-", "qwap", "qtek", "r380", "r600", "raks", "rim9", "rove",
    "s55/", "sage", "sams", "sc01", "sch-", "scp-", "sdk/", "se47", "sec-", "sec0", "sec1", "semc",
    "sgh-", "shar", "sie-", "sk-0", "sl45", "slid", "smb3", "smt5", "sp01", "sph-", "spv ", "spv-",
    "sy01", "samm", "sany", "sava", "scoo", "send", "siem", "smar", "smit", "soft", "sony", "t-mo",
    "t218", "t250", "t600", "t610", "t618", "tcl-", "tdg-", "telm", "tim-", "ts70", "tsm-", "tsm3",
    "tsm5", "tx-9", "tagt", "talk", "teli", "topl", "tosh", "upg1", "utst", "v400", "v750", "veri",
    "vk-v", "vk40", "vk50", "vk52", "vk53", "vm40", "vx98", "virg", "vertu", "vite", "voda",
    "vulc", "w3c ", "w3c-", "wapj", "wapp", "wapu", "wapm", "wig ", "wapi", "wapr", "wapv", "wapy",
    "wapa", "waps", "wapt", "winc", "winw", "wonu", "x700", "xda2", "xdag", "yas-", "your", "zte-",
    "zeto", "aste", "audi", "avan", "blaz", "brew", "brvw", "bumb", "ccwa", "cell", "cldc", "cmd-",
    "dang", "eml2", "fetc", "hipt", "http", "ibro", "idea", "ikom", "ipaq", "jbro", "jemu", "jigs",
    "keji", "kyoc", "kyok", "libw", "m-cr", "midp", "mmef", "moto", "mwbp", "mywa", "newt", "nok6",
    "o2im", "pant", "pdxg", "play", "pluc", "port", "prox", "rozo", "sama", "seri", "smal", "symb",
    "treo", "upsi", "vx52", "vx53", "vx60", "vx61", "vx70", "vx80", "vx81", "vx83", "vx85", "wap-",
    "webc", "whit", "wmlb", "xda-", "xda_",
];

/// The device family of `ua`.
pub(super) fn family(ua: &str) -> Cow<'static, str> {
    if let Some(model) = android_model(ua) {
        return model;
    }
    for device in ["iPad", "iPod", "iPhone"] {
        if positions(ua, device).any(|at| {
            ua[at + device.len()..].starts_with([';'])
                || ua[at + device.len()..].starts_with(" Simulator;")
                || (device == "iPod" && ua[at + 4..].starts_with(" touch;"))
        }) {
            return Cow::Borrowed(device);
        }
    }
    if let Some(generic) = generic_mobile(ua) {
        return Cow::Borrowed(generic);
    }
    if is_spider(ua) {
        return Cow::Borrowed("Spider");
    }
    if FEATURE_PHONE_PREFIXES
        .iter()
        .any(|prefix| starts_with_ignore_case(ua, prefix))
        || ua.eq("Ice")
        || [
            "wap-browser",
            "wap browser",
            "maui",
            "netfront",
            "obigo",
            "teleca",
            "up.browser",
            "midp",
            "opera mini",
        ]
        .iter()
        .any(|word| contains_ignore_case(ua, word))
    {
        return Cow::Borrowed("Generic Feature Phone");
    }
    if ua.contains("Mac OS") {
        return Cow::Borrowed("Mac");
    }
    Cow::Borrowed("Other")
}

/// The model of an Android phone or tablet, as uap-core names it.
fn android_model(ua: &str) -> Option<Cow<'static, str>> {
    let at = ua.find("Android ")?;
    let rest = &ua[at + 8..];
    // `Android 14; SM-S918B) AppleWebKit`, `Android 10; K) AppleWebKit`, `...; Pixel 6 Build/`:
    // uap-core's `; ([^;]{1,100}?)(?: Build|\) AppleWebKit)`.
    let version_end = rest.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let rest = rest[version_end..].strip_prefix("; ")?;
    // WebView user agents add `; wv)`: uap-core names Pixels and motos before that.
    if let Some((model, after)) = rest.split_once(';') {
        let webkit_follows =
            after.find(") AppleWebKit").is_some_and(|at| at <= 50) || after.starts_with(" Build");
        if webkit_follows && model.starts_with("Pixel ") {
            return Some(Cow::Owned(model.to_owned()));
        }
        if webkit_follows && model.starts_with("moto") && model.len() <= 54 {
            return Some(Cow::Owned(model.to_owned()));
        }
    }
    let end = [rest.find(" Build"), rest.find(") AppleWebKit")]
        .into_iter()
        .flatten()
        .min()?;
    let model = rest[..end].trim();
    if model.is_empty() || model.len() > 100 || model.contains(';') {
        return None;
    }
    if let Some(pixel) = model
        .strip_prefix("Google ")
        .or(Some(model))
        .filter(|m| m.starts_with("Pixel"))
    {
        return Some(Cow::Owned(pixel.to_owned()));
    }
    let oppo = ["CPH", "RMX"].iter().any(|p| {
        model
            .strip_prefix(p)
            .is_some_and(|d| (1..=4).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
    });
    if oppo {
        return Some(Cow::Owned(format!("Oppo {model}")));
    }
    if let Some(code) = model.strip_prefix("ONEPLUS ")
        && code.len() >= 2
        && code.as_bytes()[0].is_ascii_alphabetic()
        && code[1..].bytes().all(|b| b.is_ascii_digit())
    {
        return Some(Cow::Owned(format!("OnePlus {model}")));
    }
    if [
        "Mi ", "MI ", "HM ", "MI-ONE ", "Redmi ", "Mi-", "MI-", "HM-", "Redmi-",
    ]
    .iter()
    .any(|p| model.starts_with(p))
    {
        return Some(Cow::Owned(format!("XiaoMi {model}")));
    }
    if let Some(moto) = model.strip_prefix("moto") {
        return Some(Cow::Owned(format!("Motorola{moto}")));
    }
    let samsung = ["SM-", "SCH-", "SGH-", "SHV-", "SHW-", "SPH-", "SC-"]
        .iter()
        .any(|p| {
            model.strip_prefix(p).is_some_and(|code| {
                (5..=6).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
            })
        });
    if samsung {
        return Some(Cow::Owned(format!("Samsung {model}")));
    }
    // uap-core: `SAMSUNG(?:; |[ -/])([A-Za-z0-9\-]+)`.
    if let Some(at) = ua.find("SAMSUNG") {
        let after = &ua[at + 7..];
        let code = after
            .strip_prefix("; ")
            .or_else(|| after.strip_prefix([' ', '-', '/']));
        let code = code.map(|c| {
            &c[..c
                .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-'))
                .unwrap_or(c.len())]
        });
        if let Some(code) = code.filter(|c| !c.is_empty()) {
            return Some(Cow::Owned(format!("Samsung {code}")));
        }
    }
    // uap-core's generic Android rule needs `Safari` after the model.
    ua[at..]
        .contains("Safari")
        .then(|| Cow::Owned(model.to_owned()))
}

/// uap-core's generic tablet and smartphone rules.
fn generic_mobile(ua: &str) -> Option<&'static str> {
    let tablet = ua.contains("Android 3.")
        || ua.contains("Opera Tablet")
        || ua
            .find("Tablet; ")
            .is_some_and(|at| ua[at..].contains("Firefox/"))
        || ua.find("Android").is_some_and(|at| {
            contains_ignore_case(&ua[at..], "tab") || contains_ignore_case(&ua[at..], "pad")
        });
    if tablet {
        return Some("Generic Tablet");
    }
    let phone = [
        "Symbian",
        "Windows CE",
        "Opera Mobi",
        "BREW",
        "Brew",
        "iPhone OS",
        "Android",
        "MobileSafari",
        "(webOS/",
        "PalmOS",
    ]
    .iter()
    .any(|t| ua.contains(t))
        || ua
            .find("Mobile; ")
            .is_some_and(|at| ua[at..].contains("Firefox/"))
        || ua.contains("Windows Phone")
        || ua.contains("WindowsPhone");
    phone.then_some("Generic Smartphone")
}

fn is_spider(ua: &str) -> bool {
    SPIDER_PREFIXES.iter().any(|prefix| ua.starts_with(prefix)) || {
        // A word must start within the first 100 bytes; compare in lowercase.
        let head = &ua.as_bytes()[..ua.len().min(160)];
        let lower = String::from_utf8_lossy(head).to_ascii_lowercase();
        SPIDER_WORDS.iter().any(|word| {
            let word = word.to_ascii_lowercase();
            lower.find(&word).is_some_and(|at| at <= 100)
        })
    }
}

fn starts_with_ignore_case(ua: &str, prefix: &str) -> bool {
    ua.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}
