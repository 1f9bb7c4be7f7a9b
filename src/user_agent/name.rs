//! `user_agent.name`: uap-core's user-agent family, for the clients Kubernetes sees.
//!
//! The rules keep uap-core's order (its `user_agent_parsers`, first match wins); each cites
//! the uap-core rule it reproduces. Niche browsers that uap-core knows by name are
//! recognised through woothee.

use std::borrow::Cow;

use super::scan::{
    followed_by, has_versioned, leftmost, positions, version_groups, versioned_at, word_start,
};
use super::{client_go, generic};

/// HTTP libraries named anywhere, version optional (uap-core's `Google-HTTP-Java-Client|...`).
const LIBRARIES: &[&str] = &[
    "Google-HTTP-Java-Client",
    "Apache-HttpClient",
    "PostmanRuntime",
    "Go-http-client",
    "scalaj-http",
    "http%20client",
    "Python-urllib",
    "HttpMonitor",
    "TLSProber",
    "WinHTTP",
    "JNLP",
    "okhttp",
    "aihttp",
    "reqwest",
    "axios",
    "unirest-java",
    "unirest-python",
    "unirest-ruby",
    "unirest-nodejs",
    "unirest-php",
    "unirest-net",
];

/// Crawlers and scanners uap-core names by their token: the literal names of its bot rule
/// (in its order: at one position, the earlier name wins).
const BOTS: &[&str] = &[
    "Cityreview Robot",
    "CrawlDaddy",
    "CrawlFire",
    "Finderbots",
    "Index crawler",
    "Job Roboter",
    "KiwiStatus Spider",
    "Lijit Crawler",
    "QuerySeekerSpider",
    "ScollSpider",
    "Trends Crawler",
    "USyd-NLP-Spider",
    "SiteCat Webbot",
    "Aboundex",
    "AdsBot-Google",
    "altavista",
    "AppEngine-Google",
    "archiver",
    "Ask Jeeves",
    "bingbot",
    "BingPreview",
    "blitzbot",
    "BlogBridge",
    "Bloglovin",
    "BoardReader Blog Indexer",
    "BoardReader Favicon Fetcher",
    "boitho.com-dc",
    "BotSeer",
    "BUbiNG",
    "Checklinks",
    "clumboot",
    "Comodo-Webinspector-Crawler",
    "ConveraCrawler",
    "CRAWL-E",
    "CrawlConvera",
    "Feed Seeker Bot",
    "Feedbin",
    "findlinks",
    "Flamingo_SearchEngine",
    "FollowSite Bot",
    "furlbot",
    "Genieo",
    "gigabot",
    "GomezAgent",
    "gonzo1",
    "Googlebot",
    "GoogleOther",
    "Google SketchUp",
    "grub-client",
    "gsa-crawler",
    "heritrix",
    "HiddenMarket",
    "holmes",
    "HooWWWer",
    "htdig",
    "ia_archiver",
    "ICC-Crawler",
    "Icarus6j",
    "IconSurf",
    "InfuzApp",
    "Innovazion Crawler",
    "InternetArchive",
    "KaloogaBot",
    "Kraken",
    "Kurzor",
    "larbin",
    "LEIA",
    "LesnikBot",
    "Linguee Bot",
    "LinkAider",
    "LinkedInBot",
    "Lite Bot",
    "Llaut",
    "lycos",
    "masscan",
    "masidani_bot",
    "Mediapartners-Google",
    "mogimogi",
    "mozDex",
    "MJ12bot",
    "msnbot",
    "msrbot",
    "Mtps Feed Aggregation System",
    "netresearch",
    "Netvibes",
    "Nutch",
    "Nymesis",
    "ObjectsSearch",
    "OgScrper",
    "Orbiter",
    "OOZBOT",
    "PagePeeker",
    "PagesInventory",
    "PaxleFramework",
    "Peeplo Screenshot Bot",
    "PHPCrawl",
    "PlantyNet_WebRobot",
    "Pompos",
    "Qwantify",
    "Read%20Later",
    "Reaper",
    "RedCarpet",
    "Retreiver",
    "Riddler",
    "Rival IQ",
    "scooter",
    "Scrapy",
    "Scrubby",
    "searchsight",
    "seekbot",
    "semanticdiscovery",
    "SemrushBot",
    "Simpy",
    "SimplePie",
    "SEOstats",
    "SimpleRSS",
    "SiteCon",
    "Slackbot-LinkExpanding",
    "Slack-ImgProxy",
    "Slurp",
    "snappy",
    "Speedy Spider",
    "Squrl Java",
    "Stringer",
    "TheUsefulbot",
    "ThumbShotsBot",
    "Thumbshots.ru",
    "Tiny Tiny RSS",
    "Twitterbot",
    "WhatsApp",
    "URL2PNG",
    "Vagabondo",
    "VoilaBot",
    "Votay bot",
    "WASALive.Bot",
    "Web-sniffer",
    "WebThumb",
    "WhatWeb",
    "WIRE",
    "WordPress",
    "Wotbox",
    "YahooSeeker",
    "Yahoo! Slurp",
    "YottaaMonitor",
    "Yowedo",
    "ZooShot",
    "ZyBorg",
    "ArcGIS Hub Indexer",
    "GPTBot",
    "Google-InspectionTool",
];

/// AWS and S3 clients (uap-core's `\b(Boto3?|JetS3t|aws-(?:cli|sdk-...))/d.d`).
const AWS: &[&str] = &[
    "aws-sdk-go-v2",
    "aws-sdk-dotnet-core",
    "aws-sdk-nodejs",
    "aws-sdk-ruby2",
    "aws-sdk-ruby",
    "aws-sdk-java",
    "aws-sdk-cpp",
    "aws-sdk-go",
    "aws-cli",
    "Boto3",
    "Boto",
    "JetS3t",
    "s3fs",
];

/// Browsers and tools uap-core names by a `Name/d.d.d` token.
const NAMED_BROWSERS: &[&str] = &[
    "Electron",
    "PaleMoon",
    "Maxthon",
    "Midori",
    "Konqueror",
    "SeaMonkey",
    "Epiphany",
    "Lynx",
    "Iceweasel",
    "IceWeasel",
    "Iron",
    "Sleipnir",
    "Galeon",
    "Netscape",
    "K-Meleon",
    "iCab",
    "Camino",
    "Fennec",
    "OmniWeb",
    "Dillo",
    "Lunascape",
    "Spotify",
    "Fluid",
    "OktaMobile",
];

/// Command-line tools and libraries after the browsers (uap-core's `\b(...|curl|Wget|...)`).
const TOOLS: &[&str] = &[
    "Windows-Update-Agent",
    "WindowsPowerShell",
    "Microsoft-CryptoAPI",
    "SophosUpdateManager",
    "SophosAgent",
    "Debian APT-HTTP",
    "Ubuntu APT-HTTP",
    "libcurl-agent",
    "libwww-perl",
    "urlgrabber",
    "curl",
    "PycURL",
    "Wget",
    "wget2",
    "aria2",
    "Axel",
    "OpenBSD ftp",
    "lftp",
    "jupdate",
    "insomnia",
    "fetch libfetch",
    "akka-http",
    "got",
    "CloudCockpitBackend",
    "ReactorNetty",
    "axios",
    "Jersey",
    "Vert.x-WebClient",
    "Apache-CXF",
    "Go-CF-client",
    "go-resty",
    "AHC",
    "HTTPie",
];

/// The user-agent family of `ua`; `woothee_name` is woothee's browser name, when it has one.
pub(super) fn family(ua: &str, woothee_name: Option<&str>) -> Cow<'static, str> {
    match dynamic_family(ua, woothee_name) {
        Some(family) => family,
        None => Cow::Borrowed(static_family(ua).unwrap_or("Other")),
    }
}

/// The rules up to uap-core's generic robot rules, some of which name the client by the text
/// they matched, then the browsers.
fn dynamic_family(ua: &str, woothee_name: Option<&str>) -> Option<Cow<'static, str>> {
    if let Some(library) = leftmost(ua, LIBRARIES) {
        return Some(Cow::Borrowed(library));
    }
    if let Some(bot) = leftmost(ua, BOTS) {
        return Some(Cow::Borrowed(bot));
    }
    if let Some(aws) = word_token(ua, AWS, |ua, end| versioned_at(ua, end, 2)) {
        return Some(Cow::Borrowed(aws));
    }
    if let Some(robot) = generic::robot_name(ua) {
        return Some(Cow::Owned(robot.to_owned()));
    }
    // No browser rule applies to client-go's shape (kubectl and most of the control plane).
    if client_go::parse(ua).is_none()
        && let Some(browser) = browser(ua, woothee_name)
    {
        return Some(Cow::Borrowed(browser));
    }
    None
}

/// The rules after the browsers.
fn static_family(ua: &str) -> Option<&'static str> {
    if has_versioned(ua, "python-requests", 2) {
        return Some("Python Requests");
    }
    // Version optional: `[ /]d` or nothing after the token.
    if let Some(tool) = word_token(ua, TOOLS, |_, _| true) {
        return Some(tool);
    }
    if positions(ua, "Python/3.").any(|at| {
        ua[at..]
            .split_once(' ')
            .is_some_and(|(_, rest)| rest.starts_with("aiohttp/"))
    }) {
        return Some("Python aiohttp");
    }
    if positions(ua, "Java").any(|at| {
        let rest = &ua[at + 4..];
        let rest = rest.strip_prefix(['/', ' ']).unwrap_or(rest);
        version_groups(rest) >= 3
    }) {
        return Some("Java");
    }
    if ua.starts_with("ureq/") || ua.starts_with("ureq ") {
        return Some("ureq");
    }
    None
}

/// The leftmost of `tokens` that starts a word and passes `after` (given the end position).
fn word_token(
    ua: &str,
    tokens: &[&'static str],
    after: impl Fn(&str, usize) -> bool,
) -> Option<&'static str> {
    tokens
        .iter()
        .enumerate()
        .filter_map(|(rank, token)| {
            positions(ua, token)
                .find(|&at| word_start(ua, at) && after(ua, at + token.len()))
                .map(|at| (at, rank, *token))
        })
        .min()
        .map(|(_, _, token)| token)
}

/// The browser rules, in uap-core's order.
fn browser(ua: &str, woothee_name: Option<&str>) -> Option<&'static str> {
    if ["Mobile;", "Tablet;"]
        .iter()
        .any(|m| followed_by(ua, m, "Firefox/", 200).is_some_and(|at| versioned_at(ua, at + 7, 2)))
    {
        return Some("Firefox Mobile");
    }
    if has_versioned(ua, "FxiOS", 2) {
        return Some("Firefox iOS");
    }
    if ua.contains("Opera Mini") {
        return Some("Opera Mini");
    }
    if ua.starts_with("Opera/9.80") || ua.contains("Opera/9.80") && ua.contains("Version/") {
        return Some("Opera");
    }
    if followed_by(ua, "Mobile Safari", "OPR/", 300).is_some_and(|at| versioned_at(ua, at + 3, 3)) {
        return Some("Opera Mobile");
    }
    if followed_by(ua, "Chrome", "OPR/", 300).is_some_and(|at| versioned_at(ua, at + 3, 3)) {
        return Some("Opera");
    }
    if has_versioned(ua, "EdgiOS", 1) || has_versioned(ua, "EdgA", 1) {
        return Some("Edge Mobile");
    }
    if has_versioned(ua, "Brave", 1) || has_versioned(ua, "brave", 1) {
        return Some("Brave");
    }
    if has_versioned(ua, "SamsungBrowser", 2) {
        return Some("Samsung Internet");
    }
    if ua.starts_with("Mozilla") && has_versioned(ua, "Ddg", 1) {
        let mobile = ua
            .find("Mobile")
            .is_some_and(|at| ua[at..].contains("Ddg/"));
        return Some(if mobile {
            "DuckDuckGo Mobile"
        } else {
            "DuckDuckGo"
        });
    }
    if let Some(niche) = woothee_name.and_then(niche_browser) {
        return Some(niche);
    }
    let chrome_4 = |from: usize| {
        ua.get(from..)
            .is_some_and(|rest| positions(rest, "Chrome").any(|at| versioned_at(rest, at + 6, 4)))
    };
    if ua.find("Version/").is_some_and(|at| chrome_4(at + 8))
        || ua.find("; wv)").is_some_and(|at| chrome_4(at + 5))
    {
        return Some("Chrome Mobile WebView");
    }
    if has_versioned(ua, "CriOS", 1) {
        return Some("Chrome Mobile iOS");
    }
    if chrome_mobile(ua) {
        return Some("Chrome Mobile");
    }
    if has_versioned(ua, "Slack_SSB", 3) {
        return Some("Slack Desktop Client");
    }
    if let Some(named) = word_token(ua, NAMED_BROWSERS, |ua, end| versioned_at(ua, end, 3)) {
        return Some(named);
    }
    if has_versioned(ua, "Edge", 1) || has_versioned(ua, "Edg", 1) {
        return Some("Edge");
    }
    if ua.contains("HeadlessChrome") {
        return Some("HeadlessChrome");
    }
    // uap-core's second list of browsers named by their token, before Chrome.
    if let Some(named) = word_token(
        ua,
        &[
            "Iceweasel",
            "IceCat",
            "SeaMonkey",
            "Konqueror",
            "Epiphany",
            "Midori",
        ],
        |ua, end| versioned_at(ua, end, 1),
    ) {
        return Some(named);
    }
    let chromium = positions(ua, "Chromium").find(|&at| versioned_at(ua, at + 8, 2));
    let chrome = positions(ua, "Chrome").find(|&at| versioned_at(ua, at + 6, 2));
    match (chromium, chrome) {
        (Some(a), Some(b)) if a <= b => return Some("Chromium"),
        (Some(_), None) => return Some("Chromium"),
        (_, Some(_)) => return Some("Chrome"),
        (None, None) => {}
    }
    if mobile_safari(ua) {
        return Some("Mobile Safari");
    }
    if ["iPod", "iPhone", "iPad"]
        .iter()
        .any(|device| ua.contains(device))
    {
        return Some("Mobile Safari UI/WKWebView");
    }
    if positions(ua, "Version/").any(|at| {
        let rest = &ua[at + 8..];
        let version = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                .len();
        version_groups(rest) >= 2
            && rest[version..]
                .find("Safari/")
                .is_some_and(|offset| offset <= 100)
    }) {
        return Some("Safari");
    }
    if ua.contains("Trident/4.0") {
        return Some("IE");
    }
    if has_versioned(ua, "AppleWebKit", 3) {
        return Some("Apple Mail");
    }
    if has_versioned(ua, "Firefox", 2) {
        return Some("Firefox");
    }
    if woothee_name == Some("Internet Explorer") {
        return Some("IE");
    }
    None
}

/// uap-core: `(Chrome)/(\d+)\.(\d+)\.(\d+)\.(\d+) Mobile(?:[ /]|$)`.
fn chrome_mobile(ua: &str) -> bool {
    positions(ua, "Chrome/").any(|at| {
        let rest = &ua[at + 7..];
        if version_groups(rest) < 4 {
            return false;
        }
        let after_version = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        after_version
            .strip_prefix(" Mobile")
            .is_some_and(|tail| tail.is_empty() || tail.starts_with([' ', '/']))
    })
}

/// uap-core: `(iPod|iPhone|iPad).{1,200}Version/d.d.{1,200}[ +]Safari`.
fn mobile_safari(ua: &str) -> bool {
    ["iPod", "iPhone", "iPad"].iter().any(|device| {
        followed_by(ua, device, "Version/", 200).is_some_and(|at| {
            versioned_at(ua, at + 7, 2)
                && (ua[at..].contains(" Safari") || ua[at..].contains("+Safari"))
        })
    })
}

/// Browsers woothee knows by name that uap-core names too (where the two names differ, the
/// uap-core one).
fn niche_browser(woothee_name: &str) -> Option<&'static str> {
    match woothee_name {
        "Vivaldi" => Some("Vivaldi"),
        "Yandex Browser" => Some("Yandex Browser"),
        _ => None,
    }
}
