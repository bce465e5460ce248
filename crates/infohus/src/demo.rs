//! Synthetic demo data: fills an empty data dir with a Copenhagen infohus — agencies, one login
//! per role, persons and three years of concern referrals — deterministically from a seed.

use anyhow::{Context, anyhow, bail};
use infohus_domain::referral::{ReferrerInput, SubjectInput};
use infohus_domain::{AgencyCode, AgencyKind, AgencyName, FieldErrors, Password, ReferralInput, Role, Username};
use infohus_store::{Actor, Store};
use std::collections::{HashMap, HashSet};
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, Time, Weekday};

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    pub persons: usize,
    pub referrals: usize,
}

#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub username: String,
    pub password: String,
    pub role: Role,
    /// The agency code, e.g. `KK-SEK`.
    pub agency: String,
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub agencies: usize,
    pub users: usize,
    pub persons: usize,
    pub referrals: usize,
    pub logins: Vec<DemoLogin>,
}

const INFOHUS_NAME: &str = "Infohus København";
const COORDINATOR: &str = "koordinator";

#[rustfmt::skip]
const AGENCIES: [(&str, &str, AgencyKind); 7] = [
    ("KK-SEK", "Sekretariatet for Infohus, Københavns Kommune", AgencyKind::Municipality),
    ("KK-BUF", "Børne- og Ungdomsforvaltningen", AgencyKind::Municipality),
    ("KK-SUF", "Socialforvaltningen", AgencyKind::Municipality),
    ("KK-BIF", "Beskæftigelses- og Integrationsforvaltningen", AgencyKind::Municipality),
    ("POL-KBH", "Københavns Politi", AgencyKind::Police),
    ("KRIM", "Kriminalforsorgen Hovedstaden", AgencyKind::PrisonProbation),
    ("PSY-RH", "Psykiatrien, Region Hovedstaden", AgencyKind::Psychiatry),
];

/// (username, display name, role, agency code)
#[rustfmt::skip]
const USERS: [(&str, &str, Role, &str); 10] = [
    (COORDINATOR, "Mette Kjær (tovholder)", Role::Coordinator, "KK-SEK"),
    ("politi", "Lars Brandt (politikommissær, forebyggelse)", Role::Member, "POL-KBH"),
    ("kriminalforsorg", "Hanne Vestergaard (KSP-koordinator)", Role::Member, "KRIM"),
    ("psykiatri", "Jonas Lund (overlæge)", Role::Member, "PSY-RH"),
    ("socialraadgiver", "Camilla Holm (socialrådgiver)", Role::Member, "KK-SUF"),
    ("ssp", "Sara Lindberg (SSP-konsulent)", Role::Member, "KK-BUF"),
    ("mentor", "Yusuf Demir (mentor)", Role::Mentor, "KK-BIF"),
    ("analytiker", "Peter Dahl (analytiker)", Role::Analyst, "KK-SEK"),
    ("revisor", "Birgitte Friis (databeskyttelsesrådgiver)", Role::Auditor, "KK-SEK"),
    ("admin", "Anders Bech (systemadministrator)", Role::Admin, "KK-SEK"),
];

#[rustfmt::skip]
const PASSWORD_WORDS: [&str; 24] = [
    "fyrtaarn", "havnebad", "cykelsti", "rundetaarn", "kanelsnegl", "hyggekrog", "torvehal",
    "frikadelle", "baadehavn", "vindmoelle", "lakrids", "regnvejr", "sommerhus", "kobberspir",
    "strandvej", "nyhavn", "moentvaerk", "rugbroed", "svanesoe", "bybro", "kastanje",
    "fiskekutter", "lindetrae", "tangbad",
];

#[rustfmt::skip]
const MALE_NAMES: [&str; 40] = [
    "Søren", "Mads", "Frederik", "Ahmad", "Ali", "Emil", "Bjørn", "Lucas", "Oliver", "William",
    "Noah", "Victor", "Magnus", "Oscar", "Mikkel", "Rasmus", "Jonas", "Kasper", "Mathias",
    "Christian", "Anders", "Niels", "Jørgen", "Morten", "Mohammed", "Omar", "Yusuf", "Hassan",
    "Ibrahim", "Mustafa", "Tobias", "Sebastian", "Alexander", "Carl", "Aksel", "Malthe",
    "Valdemar", "Jens", "Thomas", "Kristian",
];

#[rustfmt::skip]
const FEMALE_NAMES: [&str; 40] = [
    "Sofie", "Ida", "Freja", "Maja", "Aisha", "Fatima", "Åse", "Emma", "Clara", "Laura", "Anna",
    "Karla", "Alma", "Ella", "Josefine", "Mathilde", "Cecilie", "Nanna", "Signe", "Line", "Mette",
    "Louise", "Camilla", "Sara", "Amira", "Leila", "Zainab", "Yasmin", "Mariam", "Nour", "Astrid",
    "Liv", "Agnes", "Asta", "Olivia", "Rikke", "Trine", "Sørine", "Birgitte", "Hanne",
];

#[rustfmt::skip]
const SURNAMES: [&str; 42] = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen",
    "Johansen", "Møller", "Mortensen", "Hussein", "Ali", "Yilmaz", "Khan", "Mohamed", "Ahmed",
    "Demir", "Kaya", "Nguyen", "Knudsen", "Jakobsen", "Lund", "Holm", "Schmidt", "Eriksen",
    "Kjær", "Bech", "Dahl", "Lauridsen", "Frandsen", "Østergaard", "Bruun", "Abdi",
];

#[rustfmt::skip]
const MUNICIPALITIES: [(&str, u32); 16] = [
    ("0101", 62), ("0147", 9), ("0151", 2), ("0153", 2), ("0157", 2), ("0159", 2), ("0161", 2),
    ("0163", 2), ("0165", 2), ("0167", 3), ("0169", 2), ("0173", 2), ("0175", 2), ("0183", 2),
    ("0185", 2), ("0187", 2),
];

#[rustfmt::skip]
const CHANNELS: [(&str, u32); 6] = [
    ("professional", 45), ("police", 15), ("hotline", 15), ("citizen", 10),
    ("prison_probation", 8), ("other", 7),
];

#[rustfmt::skip]
const CATEGORIES: [(&str, u32); 10] = [
    ("right_wing", 22), ("militant_islamism", 20), ("conspiracy", 14), ("hybrid", 10),
    ("misogyny", 9), ("anti_authority", 9), ("left_wing", 5), ("single_issue", 4), ("other", 4),
    ("unknown", 3),
];

/// Who refers through a channel: where they work, how their account opens, and which demo
/// account (besides the coordinator) might have typed it in.
struct Kind {
    channel: &'static str,
    weight: u32,
    /// Schools, clubs and SSP work with children and young people only.
    youth: bool,
    domain: Option<&'static str>,
    orgs: &'static [&'static str],
    openers: &'static [&'static str],
    submitter: Option<&'static str>,
}

#[rustfmt::skip]
const KINDS: [Kind; 11] = [
    Kind { channel: "professional", weight: 30, youth: true, domain: Some("skole.eksempel.dk"),
        orgs: &["Valby Skole", "Tingbjerg Skole", "Nørrebro Park Skole", "Amager Fælled Skole",
            "Sydhavn Skole", "Ørestad Gymnasium"],
        openers: &["Klasselæreren har over de seneste uger bemærket en tydelig ændring hos {s}.",
            "Henvendelsen kommer fra skolen efter en episode i undervisningen, hvor {s} kom med bekymrende udtalelser."],
        submitter: Some("ssp") },
    Kind { channel: "professional", weight: 20, youth: true, domain: Some("ssp.eksempel.dk"),
        orgs: &["SSP København, Nørrebro", "SSP København, Bispebjerg", "SSP København, Amager",
            "SSP København, Valby"],
        openers: &["SSP har haft flere samtaler med {s} og med netværket omkring.",
            "SSP-konsulenten er blevet kontaktet af en klubmedarbejder, der er bekymret for {s}."],
        submitter: Some("ssp") },
    Kind { channel: "professional", weight: 15, youth: false, domain: Some("kk.eksempel.dk"),
        orgs: &["Socialforvaltningen, Borgercenter Børn og Unge",
            "Socialforvaltningen, Center for Udsatte Voksne"],
        openers: &["Sagsbehandleren er blevet bekymret efter et opfølgningsmøde med {s}.",
            "Under et hjemmebesøg gav {s} udtryk for holdninger, der vækker bekymring."],
        submitter: Some("socialraadgiver") },
    Kind { channel: "professional", weight: 10, youth: false, domain: Some("kk.eksempel.dk"),
        orgs: &["Jobcenter København", "Ungdommens Uddannelsesvejledning København"],
        openers: &["Under et vejledningsforløb har {s} givet udtryk for holdninger, der vækker bekymring."],
        submitter: None },
    Kind { channel: "professional", weight: 12, youth: false, domain: Some("psykiatri.eksempel.dk"),
        orgs: &["Psykiatrisk Center København, ambulatoriet", "Psykiatrisk Center Amager"],
        openers: &["Under et behandlingsforløb har {s} talt om emner, som behandleren finder bekymrende."],
        submitter: Some("psykiatri") },
    Kind { channel: "professional", weight: 13, youth: true, domain: Some("klub.eksempel.dk"),
        orgs: &["Fritidsklubben Nordvest", "Ungdomsklubben Sydhavn", "Klubhuset Tingbjerg"],
        openers: &["Medarbejdere i klubben har hørt {s} tale med andre unge om emner, der vækker bekymring."],
        submitter: None },
    Kind { channel: "police", weight: 1, youth: false, domain: Some("politi.eksempel.dk"),
        orgs: &["Københavns Politi, Station City", "Københavns Politi, Station Bellahøj",
            "Københavns Politi, Station Amager", "Københavns Politi, Forebyggelsesafdelingen"],
        openers: &["Politiet har i forbindelse med en patrulje haft kontakt med {s}.",
            "I forbindelse med en anden sag er politiet blevet opmærksom på {s}."],
        submitter: Some("politi") },
    Kind { channel: "hotline", weight: 1, youth: false, domain: Some("hotline.eksempel.dk"),
        orgs: &["Den nationale hotline"],
        openers: &["Opkald til hotlinen fra en pårørende, som ønsker at være anonym.",
            "Henvendelse via hotlinen fra en bekymret ven af familien."],
        submitter: None },
    Kind { channel: "citizen", weight: 1, youth: false, domain: None, orgs: &[],
        openers: &["Jeg henvender mig som pårørende, fordi jeg er bekymret for {s}.",
            "Jeg er nabo og har gennem længere tid lagt mærke til ændringer hos {s}."],
        submitter: None },
    Kind { channel: "prison_probation", weight: 1, youth: false, domain: Some("kriminalforsorgen.eksempel.dk"),
        orgs: &["Kriminalforsorgen, Københavns Fængsler", "Kriminalforsorgen i Frihed København"],
        openers: &["{S} forventes løsladt inden for de næste tre måneder.",
            "Under afsoningen har personalet observeret en udvikling hos {s}, der giver anledning til bekymring."],
        submitter: Some("kriminalforsorg") },
    Kind { channel: "other", weight: 1, youth: false, domain: Some("forening.eksempel.dk"),
        orgs: &["Lokal idrætsforening", "Boligsocial helhedsplan, Nordvest", "Frivilligcenter København"],
        openers: &["Henvendelsen kommer fra en frivillig, der kender {s} gennem foreningslivet."],
        submitter: None },
];

fn observations(category: &str) -> &'static [&'static str] {
    match category {
        "right_wing" => &[
            "{S} har flere gange delt billeder med symboler fra højreekstreme miljøer i en fælles chatgruppe.",
            "{S} taler om en kommende 'racekrig' og omtaler andre befolkningsgrupper som en trussel.",
            "{S} fortæller om en lukket onlinegruppe med nationalistisk og voldsforherligende indhold, som vedkommende er blevet inviteret ind i.",
        ],
        "militant_islamism" => &[
            "{S} har udtrykt sympati for militante grupper i konfliktområder og talt om at rejse ud.",
            "{S} har trukket sig fra tidligere venner, som nu omtales som vantro, og bruger meget tid på én bestemt prædikant på nettet.",
            "{S} deler videoer med voldsforherligende indhold fra militante grupper på sociale medier.",
        ],
        "left_wing" => &[
            "{S} giver udtryk for, at hærværk og vold mod politiet er et legitimt politisk middel.",
            "{S} er blevet en del af et miljø, der planlægger aktioner mod virksomheder og offentlige bygninger.",
        ],
        "anti_authority" => &[
            "{S} afviser myndighedernes legitimitet og har erklæret sig uafhængig af dansk lovgivning.",
            "{S} nægter kontakt med kommunen og har sendt breve med truende formuleringer til en medarbejder.",
            "{S} opfordrer andre til ikke at betale skat eller bøder og omtaler politiet som en fjende.",
        ],
        "hybrid" => &[
            "{S} blander elementer fra flere ideologier og er stærkt optaget af tidligere terrorangreb.",
            "{S} samler materiale om gerningsmænd bag voldelige angreb, tilsyneladende uden en fast ideologisk retning.",
        ],
        "misogyny" => &[
            "{S} giver udtryk for had mod kvinder og omtaler sig selv som en del af incel-miljøet.",
            "{S} forherliger gerningsmænd bag angreb på kvinder i onlinefora og taler nedsættende om kvindelige medarbejdere.",
        ],
        "conspiracy" => &[
            "{S} er optaget af konspirationsteorier om en hemmelig elite og siger, at nogen må tage sagen i egen hånd.",
            "{S} bruger mange timer dagligt i onlinefora med konspirationsindhold og har isoleret sig fra familien.",
            "{S} mener, at myndighederne bevidst skader befolkningen, og har talt om at gøre modstand.",
        ],
        "single_issue" => &[
            "{S} er stærkt optaget af klimasagen og har talt om sabotage mod infrastruktur som eneste løsning.",
            "{S} har et stærkt fokus på dyrs rettigheder og har talt om at gøre skade på medarbejdere i en bestemt branche.",
        ],
        "other" => &[
            "{S} har ændret adfærd markant og udtrykker voldsom vrede mod samfundet uden en tydelig ideologisk retning.",
            "{S} har fremsat trusler mod en tidligere arbejdsplads; motivet fremstår personligt snarere end ideologisk.",
        ],
        _ => &[
            "Det er uklart, om der er tale om ekstremisme, men {s} har udtalt sig på en måde, der har skabt utryghed.",
            "Referenten har kun sparsomme oplysninger og ønsker en vurdering af, om der er grund til bekymring.",
        ],
    }
}

const CLOSINGS: [&str; 5] = [
    "Der er ikke kendskab til konkrete planer om vold.",
    "Familien er orienteret og ønsker at samarbejde.",
    "Vi ønsker sparring om, hvordan vi bedst støtter op om {s}.",
    "{S} har selv sagt ja til at tale med en fagperson om sine tanker.",
    "Der er tidligere registreret mindre konflikter, men ingen vold.",
];

const URGENT_CLOSINGS: [&str; 3] = [
    "{S} har nævnt en konkret dato, og vi beder om hurtig kontakt.",
    "{S} har talt om at skaffe våben; vi beder om en hurtig vurdering.",
    "Situationen har udviklet sig hurtigt den seneste uge, og vi beder om kontakt i dag.",
];

/// Demo data replays from its seed.
type Rng = infohus_domain::splitmix::SplitMix64;

/// A uniformly chosen item; the type's default only for an empty slice.
fn pick<T: Copy + Default>(rng: &mut Rng, items: &[T]) -> T {
    let i = rng.index(items.len());
    items.get(i).copied().unwrap_or_default()
}

/// An item chosen with probability proportional to its weight.
fn weighted<T: Copy + Default>(rng: &mut Rng, options: &[(T, u32)]) -> T {
    let total: u64 = options.iter().map(|(_, w)| u64::from(*w)).sum();
    let mut roll = rng.below(total);
    for (item, weight) in options {
        if roll < u64::from(*weight) {
            return *item;
        }
        roll -= u64::from(*weight);
    }
    options.last().map(|(item, _)| *item).unwrap_or_default()
}

fn demo_password(rng: &mut Rng) -> String {
    let first = pick(rng, &PASSWORD_WORDS);
    let mut second = pick(rng, &PASSWORD_WORDS);
    while second == first {
        second = pick(rng, &PASSWORD_WORDS);
    }
    format!("demo-{first}-{second}-{:04}", rng.between(0, 9999))
}

/// A CPR number whose date is `born`, whose seventh digit gives `born`'s century under the
/// CPR office rules, and whose last digit is odd for men and even for women.
fn synthetic_cpr(rng: &mut Rng, born: Date, male: bool) -> Option<String> {
    let seventh = match born.year() {
        1900..=1999 => rng.between(0, 3),
        2000..=2036 => pick(rng, &[4, 5, 6, 7, 8, 9]),
        2037..=2057 => rng.between(5, 8),
        _ => return None,
    };
    let last = rng.between(0, 4) * 2 + i64::from(male);
    Some(format!(
        "{:02}{:02}{:02}{seventh}{:02}{last}",
        born.day(),
        u8::from(born.month()),
        born.year().rem_euclid(100),
        rng.between(0, 99),
    ))
}

fn small(rng: &mut Rng, lo: u8, hi: u8) -> u8 {
    u8::try_from(rng.between(i64::from(lo), i64::from(hi))).unwrap_or(lo)
}

/// A working-hours moment in the three years before `now`; recent years a little busier.
fn intake_time(rng: &mut Rng, now: OffsetDateTime) -> anyhow::Result<OffsetDateTime> {
    let years_back: i64 = weighted(rng, &[(0, 40), (1, 33), (2, 27)]);
    let days = years_back * 365 + rng.between(0, 364);
    let mut date = now.date().checked_sub(Duration::days(days)).context("date out of range")?;
    let weekend_shift = match date.weekday() {
        Weekday::Saturday => 1,
        Weekday::Sunday => 2,
        _ => 0,
    };
    if weekend_shift > 0 && rng.chance(80) {
        date = date.checked_sub(Duration::days(weekend_shift)).context("date out of range")?;
    }
    let time = Time::from_hms(small(rng, 8, 15), small(rng, 0, 59), small(rng, 0, 59))?;
    let at = PrimitiveDateTime::new(date, time).assume_offset(now.offset());
    if at <= now {
        return Ok(at);
    }
    let earlier = now.checked_sub(Duration::minutes(rng.between(1, 120)));
    Ok(earlier.context("time out of range")?.replace_nanosecond(0)?)
}

/// Age ranges (years, inclusive) at the first referral, weighted: about a quarter under 18.
#[rustfmt::skip]
const AGE_BANDS: [((i64, i64), u32); 5] =
    [((13, 17), 25), ((18, 24), 35), ((25, 30), 20), ((31, 45), 13), ((46, 60), 7)];

/// A birth date so that the person is 13 to 60 on `first_referral`, a quarter under 18.
fn birth_date(rng: &mut Rng, first_referral: Date) -> Option<Date> {
    let (lo, hi) = weighted(rng, &AGE_BANDS);
    let age = rng.between(lo, hi);
    let days = age * 365 + age / 4 + rng.between(1, 360);
    first_referral.checked_sub(Duration::days(days))
}

fn ascii(name: &str) -> String {
    name.to_lowercase()
        .chars()
        .flat_map(|c| match c {
            'æ' => vec!['a', 'e'],
            'ø' => vec!['o', 'e'],
            'å' => vec!['a', 'a'],
            c if c.is_ascii_alphanumeric() => vec![c],
            _ => vec![],
        })
        .collect()
}

fn full_name(rng: &mut Rng, male: bool) -> String {
    let first = if male { pick(rng, &MALE_NAMES) } else { pick(rng, &FEMALE_NAMES) };
    format!("{first} {}", pick(rng, &SURNAMES))
}

fn phone(rng: &mut Rng, first_digit: i64) -> String {
    format!(
        "+45 {first_digit}{} {:02} {:02} {:02}",
        rng.between(0, 9),
        rng.between(0, 99),
        rng.between(0, 99),
        rng.between(0, 99)
    )
}

fn referrer(rng: &mut Rng, kind: &Kind) -> ReferrerInput {
    let male = rng.chance(45);
    let name = full_name(rng, male);
    let email = kind.domain.map(|domain| {
        let mut parts = name.split_whitespace().map(ascii);
        let first = parts.next().unwrap_or_default();
        let last = parts.next().unwrap_or_default();
        format!("{first}.{last}@{domain}")
    });
    let orgs = kind.orgs;
    if kind.channel == "citizen" {
        let named = rng.chance(70);
        let mail = rng.chance(40).then(|| format!("{}@eksempel.dk", ascii(&name)));
        let first_digit = pick(rng, &[2, 3, 4, 5, 6]);
        return ReferrerInput {
            name: named.then_some(name),
            organisation: None,
            phone: Some(phone(rng, first_digit)),
            email: mail,
        };
    }
    ReferrerInput {
        name: Some(name),
        organisation: (!orgs.is_empty()).then(|| pick(rng, orgs).to_owned()),
        phone: Some(phone(rng, 3)),
        email,
    }
}

/// A referrer for `channel`; youth services only refer people under 25.
fn kind_for(rng: &mut Rng, channel: &str, young: bool) -> Option<&'static Kind> {
    let options: Vec<(Option<&'static Kind>, u32)> =
        KINDS.iter().filter(|k| k.channel == channel && (young || !k.youth)).map(|k| (Some(k), k.weight)).collect();
    weighted(rng, &options)
}

fn describe(rng: &mut Rng, kind: &Kind, category: &str, urgent: bool, young: bool) -> String {
    let mut sentences = vec![pick(rng, kind.openers), pick(rng, observations(category))];
    if urgent {
        sentences.push(pick(rng, &URGENT_CLOSINGS));
    } else if rng.chance(65) {
        sentences.push(pick(rng, &CLOSINGS));
    }
    let (upper, lower) = if young { ("Den unge", "den unge") } else { ("Personen", "personen") };
    sentences.join(" ").replace("{S}", upper).replace("{s}", lower)
}

fn field_codes(errors: &FieldErrors) -> String {
    errors.0.iter().map(|e| format!("{}:{}", e.field, e.code)).collect::<Vec<_>>().join(", ")
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ident {
    Cpr,
    BirthDate,
    Nothing,
}

struct Person {
    name: String,
    male: bool,
    ident: Ident,
    municipality: &'static str,
    birth: Option<Date>,
    cpr: Option<String>,
    category: Option<&'static str>,
}

/// Fills an empty store with the demo infohus. Refuses a store that holds anything.
pub async fn fill(store: &Store, options: &DemoOptions, now: OffsetDateTime) -> anyhow::Result<DemoSummary> {
    if !store.is_empty().await? {
        bail!(
            "the database already holds agencies, users or referrals; demo data is only written to an empty data dir"
        );
    }
    let mut rng = Rng::new(options.seed);
    let infohus = store.default_infohus().await?;
    store.rename_infohus(&infohus, INFOHUS_NAME).await?;

    for (code, name, kind) in AGENCIES {
        let code = AgencyCode::parse(code).ok_or_else(|| anyhow!("bad demo agency code {code}"))?;
        let name = AgencyName::parse(name).ok_or_else(|| anyhow!("bad demo agency name"))?;
        store.add_agency(&infohus, &code, &name, kind, now).await?;
    }

    let mut password_rng = Rng::new(options.seed ^ 0x0DE3_0FA5_5C0D_E5A1);
    let mut used = HashSet::new();
    let mut logins = Vec::new();
    for (username, display_name, role, agency) in USERS {
        let mut password = demo_password(&mut password_rng);
        while !used.insert(password.clone()) {
            password = demo_password(&mut password_rng);
        }
        let hash = infohus_store::password::hash(&Password::parse(&password)?)
            .ok_or_else(|| anyhow!("could not hash the password of demo user {username}"))?;
        let user = Username::parse(username).ok_or_else(|| anyhow!("bad demo username {username}"))?;
        let code = AgencyCode::parse(agency).ok_or_else(|| anyhow!("bad demo agency code {agency}"))?;
        store.add_user(&infohus, &user, display_name, &code, role, &hash, now).await?;
        logins.push(DemoLogin { username: username.to_owned(), password, role, agency: agency.to_owned() });
    }

    // Intake moments first, oldest first, so every referral is stored in time order.
    let mut times = Vec::with_capacity(options.referrals);
    for _ in 0..options.referrals {
        times.push(intake_time(&mut rng, now)?);
    }
    times.sort();

    // Persons: 80 % with CPR, 12 % with only a birth date, 8 % with neither (by position, so
    // that even a small demo has a few of each).
    let distinct = options.persons.max(1).min(options.referrals);
    let mut persons: Vec<Person> = (0..distinct)
        .map(|i| {
            let male = rng.chance(62);
            Person {
                name: full_name(&mut rng, male),
                male,
                ident: match i % 25 {
                    20..=22 => Ident::BirthDate,
                    23 | 24 => Ident::Nothing,
                    _ => Ident::Cpr,
                },
                municipality: weighted(&mut rng, &MUNICIPALITIES),
                birth: None,
                cpr: None,
                category: None,
            }
        })
        .collect();

    // Referral slots: one per person, then 3-5 repeats about birth-date-only persons (no CPR,
    // so the store suggests a name + birth date match), then repeats via CPR (2-4 in all).
    let mut slots: Vec<usize> = (0..distinct).collect();
    let mut extras = options.referrals.saturating_sub(distinct);
    let by_birth: Vec<usize> =
        (0..distinct).filter(|&i| persons.get(i).is_some_and(|p| p.ident == Ident::BirthDate)).collect();
    if !by_birth.is_empty() {
        let suggestions = extras.min(usize::try_from(rng.between(3, 5)).unwrap_or(3));
        for k in 0..suggestions {
            slots.push(by_birth.get(k % by_birth.len()).copied().unwrap_or(0));
        }
        extras -= suggestions;
    }
    let with_cpr: Vec<usize> =
        (0..distinct).filter(|&i| persons.get(i).is_some_and(|p| p.ident == Ident::Cpr)).collect();
    // (person, referrals so far) of those who may get another; past 4 only when all have 4.
    let mut open: Vec<(usize, usize)> = with_cpr.iter().map(|&i| (i, 1)).collect();
    for _ in 0..extras {
        let k = rng.index(open.len());
        let chosen = match open.get_mut(k) {
            Some((person, count)) => {
                *count += 1;
                let person = *person;
                if *count >= 4 {
                    open.swap_remove(k);
                }
                person
            }
            None => pick(&mut rng, &with_cpr),
        };
        slots.push(chosen);
    }
    for i in (1..slots.len()).rev() {
        slots.swap(i, rng.index(i + 1));
    }

    // Birth dates and CPR numbers, from each person's first referral.
    let mut cprs = HashSet::new();
    for (slot, at) in slots.iter().zip(&times) {
        let Some(person) = persons.get_mut(*slot) else {
            continue;
        };
        if person.birth.is_some() {
            continue;
        }
        person.birth = birth_date(&mut rng, at.date());
        if person.ident == Ident::Cpr {
            for _ in 0..20 {
                match person.birth.and_then(|b| synthetic_cpr(&mut rng, b, person.male)) {
                    Some(cpr) if cprs.insert(cpr.clone()) => {
                        person.cpr = Some(cpr);
                        break;
                    }
                    Some(_) => {}
                    None => break,
                }
            }
            if person.cpr.is_none() {
                person.ident = Ident::BirthDate;
            }
        }
    }

    let categories = store.concern_categories().await?;
    let mut actors: HashMap<&'static str, Actor> = HashMap::new();
    let mut stored_persons = HashSet::new();
    let (mut person_count, mut referral_count) = (0, 0);
    let mut created = Vec::new();
    for (slot, received_at) in slots.iter().zip(&times) {
        let Some(person) = persons.get_mut(*slot) else {
            continue;
        };
        let today = received_at.date();
        let age = person.birth.map(|b| infohus_domain::referral::age_on(b, today));
        let mut channel: &str = weighted(&mut rng, &CHANNELS);
        if channel == "prison_probation" && age.is_none_or(|a| a < 18) {
            channel = "professional";
        }
        let young = age.is_some_and(|a| a < 25);
        let kind = kind_for(&mut rng, channel, young).context("no demo referrer for a channel")?;
        let category = match person.category {
            Some(previous) if rng.chance(70) => previous,
            _ => weighted(&mut rng, &CATEGORIES),
        };
        person.category.get_or_insert(category);
        let urgent = rng.chance(12);
        let gender_known = rng.chance(match person.ident {
            Ident::Cpr => 85,
            Ident::BirthDate => 70,
            Ident::Nothing => 50,
        });
        let subject = SubjectInput {
            name: Some(person.name.clone()),
            cpr: person.cpr.clone(),
            birth_date: match person.ident {
                Ident::BirthDate => person.birth.map(|d| d.to_string()),
                Ident::Cpr if rng.chance(30) => person.birth.map(|d| d.to_string()),
                _ => None,
            },
            gender: gender_known.then(|| if person.male { "male" } else { "female" }.to_owned()),
            municipality: rng.chance(90).then(|| person.municipality.to_owned()),
        };
        let input = ReferralInput {
            channel: Some(channel.to_owned()),
            referrer: Some(referrer(&mut rng, kind)),
            subject: Some(subject),
            concern_category: Some(category.to_owned()),
            description: Some(describe(&mut rng, kind, category, urgent, young)),
            urgency: Some(if urgent { "urgent" } else { "normal" }.to_owned()),
        };
        let referral = input
            .validate(&categories, today)
            .map_err(|e| anyhow!("a generated demo referral is invalid: {}", field_codes(&e)))?;
        let username = match kind.submitter {
            Some(member) if rng.chance(50) => member,
            _ => COORDINATOR,
        };
        if !actors.contains_key(username) {
            actors.insert(username, store.actor_for_operator(username).await?);
        }
        let actor = actors.get(username).context("demo actor missing")?;
        let stored = store
            .create_referral(actor, referral, *received_at)
            .await
            .with_context(|| format!("storing demo referral as {username}"))?;
        created.push((stored.id, *received_at, young));
        referral_count += 1;
        match &person.cpr {
            Some(cpr) => person_count += usize::from(stored_persons.insert(cpr.clone())),
            None => person_count += 1,
        }
    }

    let cases = open_demo_cases(store, &mut rng, &created, now).await?;
    tracing::info!(cases = cases.len(), "demo cases opened");
    let opened: HashSet<&infohus_domain::ReferralId> = cases.iter().map(|c| &c.referral).collect();
    let others: Vec<_> = created.iter().filter(|(id, ..)| !opened.contains(id)).cloned().collect();
    screen_demo_referrals(store, &mut rng, &others, now).await?;
    work_demo_cases(store, &mut rng, &cases, now).await?;
    demo_meetings(store, now).await?;

    Ok(DemoSummary {
        agencies: AGENCIES.len(),
        users: USERS.len(),
        persons: person_count,
        referrals: referral_count,
        logins,
    })
}

/// Members who write on cases, by agency code.
const CASE_MEMBERS: [(&str, &str); 5] = [
    ("POL-KBH", "politi"),
    ("PSY-RH", "psykiatri"),
    ("KRIM", "kriminalforsorg"),
    ("KK-SUF", "socialraadgiver"),
    ("KK-BUF", "ssp"),
];

#[rustfmt::skip]
const NOTES: [(&str, &[&str]); 8] = [
    ("Borgeren er kendt i egne registre. Ingen akutte forhold.", &[]),
    ("Samtale gennemført. Borgeren er åben for at tale med en mentor.", &[]),
    ("Borgeren har tidligere været i behandling og har en aftale i ambulatoriet.", &["health"]),
    ("Der er tidligere sigtelser for vold; sagerne er afsluttet.", &["criminal_offence"]),
    ("Borgeren giver udtryk for stærke religiøse overbevisninger og søger fællesskab online.", &["religion"]),
    ("Borgeren deltager i politiske møder og deler materiale fra en ekstrem gruppe.", &["political_opinion"]),
    ("Familien er inddraget. Forældrene ønsker hjælp og deltager i næste møde.", &[]),
    ("Løsladelse forventes om to måneder; udslusning planlægges sammen med kommunen.", &["criminal_offence"]),
];

/// Opens cases for about a third of the referrals older than two weeks, with notes by the
/// participating agencies and a few disclosures, so the case pages have something to show.
async fn open_demo_cases(
    store: &Store,
    rng: &mut Rng,
    created: &[(infohus_domain::ReferralId, OffsetDateTime, bool)],
    now: OffsetDateTime,
) -> anyhow::Result<Vec<DemoCase>> {
    let coordinator = store.actor_for_operator(COORDINATOR).await?;
    let mut members = HashMap::new();
    for (code, username) in CASE_MEMBERS {
        members.insert(code, store.actor_for_operator(username).await?);
    }
    let code = |c: &str| AgencyCode::parse(c).context("demo agency code");
    let mut opened = Vec::new();
    for (referral, received_at, young) in created {
        let opened_at = *received_at + Duration::days(7);
        if opened_at + Duration::days(7) > now || !rng.chance(35) {
            continue;
        }
        let mut participants = vec!["POL-KBH"];
        for (candidate, percent) in
            [("KK-SUF", 60), ("PSY-RH", 30), ("KRIM", 15), ("KK-BUF", if *young { 70 } else { 5 })]
        {
            if rng.chance(percent) {
                participants.push(candidate);
            }
        }
        let codes = participants.iter().map(|c| code(c)).collect::<anyhow::Result<Vec<_>>>()?;
        let case = store.open_case(&coordinator, referral, &code("KK-SEK")?, &codes, opened_at).await?;
        opened.push(DemoCase {
            id: case.clone(),
            referral: referral.clone(),
            opened_at,
            participants: participants.clone(),
        });
        for (n, agency) in participants.iter().enumerate() {
            let Some(member) = members.get(agency) else { continue };
            let (text, tags) = pick(rng, &NOTES);
            let tags = infohus_domain::Sensitivities::parse_list("sensitivity", tags.iter().copied())
                .map_err(|_| anyhow!("a demo sensitivity tag is unknown"))?;
            let at = opened_at + Duration::days(3 + n as i64);
            let needs_special = tags.has_special_category();
            let needs_criminal = tags.has_criminal_offence();
            let note = store.add_note(member, &case, text, tags, at).await?;
            // Some notes are shared with the police or the social administration.
            let to = if *agency == "POL-KBH" { "KK-SUF" } else { "POL-KBH" };
            if participants.contains(&to) && rng.chance(40) {
                let basis = match (needs_special, needs_criminal) {
                    (false, false) => "gdpr_6_1_e",
                    (true, false) => "dbl_7_4",
                    (false, true) => "dbl_8",
                    (true, true) => "rpl_115a",
                };
                store.disclose_note(member, &note, &code(to)?, basis, "Koordinering af den fælles indsats", at).await?;
            }
        }
    }
    Ok(opened)
}

/// A demo case as the casework generator needs it.
struct DemoCase {
    id: infohus_domain::CaseId,
    referral: infohus_domain::ReferralId,
    opened_at: OffsetDateTime,
    participants: Vec<&'static str>,
}

fn copenhagen_date(at: OffsetDateTime) -> Date {
    infohus_domain::calendar::copenhagen(at).date()
}

#[rustfmt::skip]
const REPLIES: [&str; 2] = [
    "Tak for din henvendelse. Infohuset har vurderet den og foretager sig ikke mere i sagen. Kontakt os igen, hvis der opstår ny bekymring.",
    "Tak for henvendelsen. Den er vurderet i infohuset, og der er ikke grundlag for en forebyggende indsats her.",
];

/// Screens the referrals that did not become cases: old ones are decided (mostly no
/// concern), recent ones are under screening with some register checks still missing.
async fn screen_demo_referrals(
    store: &Store,
    rng: &mut Rng,
    referrals: &[(infohus_domain::ReferralId, OffsetDateTime, bool)],
    now: OffsetDateTime,
) -> anyhow::Result<()> {
    use infohus_domain::casework::{CheckResult, OtherService};
    use infohus_store::Decision;
    let coordinator = store.actor_for_operator(COORDINATOR).await?;
    let police = store.actor_for_operator("politi").await?;
    let psychiatry = store.actor_for_operator("psykiatri").await?;
    let code = |c: &str| AgencyCode::parse(c).context("demo agency code");
    // The newest stays under screening with the police's check unanswered, whatever the day
    // and hour the demo is made: a police member's "my work" always has a check to answer.
    let newest = referrals.last().map(|(id, ..)| id.clone());
    for (referral, received_at, young) in referrals {
        let keep_open = newest.as_ref() == Some(referral);
        let age = now - *received_at;
        if !keep_open && age > Duration::days(21) && !rng.chance(96) {
            continue;
        }
        let mut asked = vec![code("POL-KBH")?];
        if rng.chance(40) {
            asked.push(code("PSY-RH")?);
        }
        let mut asked_at = *received_at + Duration::hours(rng.between(2, 48));
        if keep_open && asked_at >= now {
            asked_at = *received_at + (now - *received_at) / 2;
        }
        if asked_at >= now {
            continue;
        }
        store.request_checks(&coordinator, referral, &asked, asked_at).await?;
        for (n, (actor, answers)) in [(&police, !keep_open), (&psychiatry, asked.len() > 1)].into_iter().enumerate() {
            let checked_at = asked_at + Duration::hours(rng.between(4, 96) + n as i64);
            if !answers || checked_at >= now || (age < Duration::days(10) && rng.chance(40)) {
                continue;
            }
            let result = match rng.below(100) {
                0..=59 => CheckResult::NotKnown,
                60..=94 => CheckResult::Known,
                _ => CheckResult::Acute,
            };
            let note = match result {
                CheckResult::Known => "Kendt fra en tidligere henvendelse; ingen verserende sager.",
                CheckResult::Acute => "Akut: kontakt vagthavende i dag.",
                CheckResult::NotKnown => "",
            };
            store.record_check(actor, referral, result, note, checked_at).await?;
        }
        let decided_at = *received_at + Duration::days(rng.between(3, 9));
        if keep_open || decided_at >= now {
            continue;
        }
        let decision = match rng.below(100) {
            0..=69 => Decision::NoConcern { reply: pick(rng, &REPLIES).to_owned() },
            70..=89 => Decision::OtherService {
                service: if *young {
                    OtherService::ChildWelfare
                } else {
                    [OtherService::Social, OtherService::Psychiatry, OtherService::Employment][rng.index(3)]
                },
                note: "Sendt videre med samtykke fra borgeren.".to_owned(),
            },
            _ => Decision::SecurityMatter {
                police: code("POL-KBH")?,
                reference: format!("0100-{}", rng.between(10_000, 99_999)),
            },
        };
        store.decide_screening(&coordinator, referral, decision, decided_at).await?;
    }
    Ok(())
}

/// Ratings for every item of an instrument around a level, moved by `shift` (negative:
/// lower risks and higher resources, i.e. better).
fn demo_ratings(
    rng: &mut Rng,
    instrument: &infohus_domain::instrument::Instrument,
    shift: i64,
) -> std::collections::BTreeMap<String, String> {
    let top = instrument.scale.len() as i64 - 1;
    let mut ratings = std::collections::BTreeMap::new();
    for (_, item) in instrument.items() {
        let base = rng.between(0, top);
        let level = match item.side {
            infohus_domain::instrument::Side::Risk => base + shift,
            infohus_domain::instrument::Side::Resource => base - shift,
        }
        .clamp(0, top);
        if let Some(l) = instrument.scale.get(usize::try_from(level).unwrap_or(0)) {
            ratings.insert(item.key.clone(), l.key.clone());
        }
    }
    ratings
}

fn demo_content(
    rng: &mut Rng,
    instrument: &infohus_domain::instrument::Instrument,
    on: Date,
    shift: i64,
) -> infohus_domain::assessment::AssessmentContent {
    let mut content = infohus_domain::assessment::AssessmentContent::empty(on);
    content.ratings = demo_ratings(rng, instrument, shift);
    for dimension in &instrument.dimensions {
        content.rationales.insert(
            dimension.key.clone(),
            "Vurderet på baggrund af samtaler med borgeren og oplysninger fra de deltagende myndigheder.".to_owned(),
        );
    }
    content.overall = "Bekymringen er reel. Netværket og interessen for uddannelse er vigtige ressourcer.".to_owned();
    content.recommendation = instrument.recommendations.first().map(|c| c.key.clone());
    content.assessors = vec!["Mette Kjær".to_owned(), "Camilla Holm".to_owned()];
    content
}

/// Gives the demo cases their casework: a signed baseline assessment, mentoring for some
/// with sessions and a six-month reassessment, tasks (some overdue), expected releases
/// and closures, so every casework page has something to show.
async fn work_demo_cases(store: &Store, rng: &mut Rng, cases: &[DemoCase], now: OffsetDateTime) -> anyhow::Result<()> {
    use infohus_domain::casework::{AssessmentKind, ClosureReason};
    use infohus_store::{NewIntervention, NewTask};
    let coordinator = store.actor_for_operator(COORDINATOR).await?;
    let mentor = store.actor_for_operator("mentor").await?;
    let prison = store.actor_for_operator("kriminalforsorg").await?;
    let (instrument_id, instrument) = store.instrument("ni-dimensioner", None).await?;
    let today = copenhagen_date(now);
    let code = |c: &str| AgencyCode::parse(c).context("demo agency code");
    for case in cases {
        let start = case.opened_at + Duration::days(10);
        if start >= now {
            continue;
        }
        let baseline_on = copenhagen_date(start);
        let content = demo_content(rng, &instrument, baseline_on, 0);
        let baseline = store
            .create_assessment(
                &coordinator,
                &case.id,
                &instrument_id,
                AssessmentKind::Baseline,
                content,
                baseline_on,
                start,
            )
            .await?;
        store.sign_assessment(&coordinator, &baseline, baseline_on, start + Duration::hours(2)).await?;
        if rng.chance(45) {
            let start_on = baseline_on + Duration::days(7);
            let intervention = store
                .add_intervention(
                    &coordinator,
                    &case.id,
                    NewIntervention {
                        kind: "mentoring".to_owned(),
                        responsible: "mentor".to_owned(),
                        goals: "Stabil hverdag, job eller uddannelse og et netværk uden for miljøet.".to_owned(),
                        start_on,
                        review_on: None,
                        sensitivity: infohus_domain::Sensitivities::default(),
                    },
                    baseline_on,
                    start + Duration::hours(3),
                )
                .await?;
            let mut held = start_on;
            for _ in 0..rng.between(1, 8) {
                held += Duration::days(rng.between(10, 30));
                let at = PrimitiveDateTime::new(held, Time::from_hms(14, 0, 0).unwrap_or(Time::MIDNIGHT)).assume_utc();
                if at >= now {
                    break;
                }
                let note = pick(
                    rng,
                    &["Samtale om job og hverdag.", "Gåtur og snak om familien.", "Fulgte med til jobcenteret."],
                );
                store.log_session(&mentor, &intervention, held, rng.between(30, 120), note, held, at).await?;
            }
            let followup_on = start_on + Duration::days(rng.between(182, 200));
            let followup_at =
                PrimitiveDateTime::new(followup_on, Time::from_hms(10, 0, 0).unwrap_or(Time::MIDNIGHT)).assume_utc();
            if followup_at < now {
                let shift = weighted(rng, &[(-1, 60), (0, 30), (1, 10)]);
                let content = demo_content(rng, &instrument, followup_on, shift);
                let followup = store
                    .create_assessment(
                        &coordinator,
                        &case.id,
                        &instrument_id,
                        AssessmentKind::FollowUp,
                        content,
                        followup_on,
                        followup_at,
                    )
                    .await?;
                store.sign_assessment(&coordinator, &followup, followup_on, followup_at + Duration::hours(1)).await?;
            }
        }
        let due_on = today + Duration::days(rng.between(-20, 40));
        let task_at = (now - Duration::days(30)).max(start);
        let task = store
            .add_task(
                &coordinator,
                &case.id,
                NewTask {
                    title: pick(
                        rng,
                        &[
                            "Indkald til netværksmøde",
                            "Følg op på skolegang",
                            "Aftal samtale med familien",
                            "Indhent status fra jobcenteret",
                        ],
                    )
                    .to_owned(),
                    owner_agency: code(pick(rng, &case.participants))?,
                    assignee: None,
                    due_on,
                },
                task_at,
            )
            .await?;
        if due_on < today && rng.chance(50) {
            store.complete_task(&coordinator, &task, task_at + Duration::hours(1)).await?;
        }
        if case.participants.contains(&"KRIM") && rng.chance(60) {
            let expected = today + Duration::days(rng.between(5, 150));
            store.set_release(&prison, &case.id, expected, now - Duration::days(1)).await?;
        }
        if now - case.opened_at > Duration::days(400) && rng.chance(40) {
            store
                .close_case(
                    &coordinator,
                    &case.id,
                    ClosureReason::GoalsMet,
                    "Forløbet er afsluttet.",
                    true,
                    now - Duration::days(2),
                )
                .await?;
        }
    }
    Ok(())
}

/// A fortnightly coordination meeting: the last one held (agenda published, minutes
/// approved with an action item), the next one with a draft agenda to publish.
async fn demo_meetings(store: &Store, now: OffsetDateTime) -> anyhow::Result<()> {
    use infohus_store::{MinutesItemInput, NewSeries, NewTask};
    let coordinator = store.actor_for_operator(COORDINATOR).await?;
    let today = copenhagen_date(now);
    // The Tuesday 8 to 14 days ago, 09:00: the meeting before the next one.
    let mut first = today - Duration::days(8);
    while first.weekday() != Weekday::Tuesday {
        first -= Duration::days(1);
    }
    let participants = ["KK-SEK", "POL-KBH", "PSY-RH", "KRIM", "KK-SUF", "KK-BUF"]
        .iter()
        .map(|c| AgencyCode::parse(c).map(|c| (c, None)).context("demo agency code"))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let series = NewSeries {
        name: "Koordineringsmøde i Infohus København".to_owned(),
        first_start: PrimitiveDateTime::new(first, Time::from_hms(9, 0, 0).unwrap_or(Time::MIDNIGHT)),
        interval_days: 14,
        duration_minutes: 90,
        cutoff_minutes: 21 * 60,
        location: Some("Københavns Rådhus, mødelokale 3".to_owned()),
        video_link: None,
        participants,
        occurrences: 26,
    };
    store.create_series(&coordinator, series, now - Duration::days(20)).await?;
    let meetings = store.meetings(&coordinator, first, 2).await?;
    let (Some(held), Some(next)) = (meetings.first(), meetings.get(1)) else { return Ok(()) };
    let days = infohus_domain::calendar::SCREENING_WORKING_DAYS;
    store.build_agenda(&coordinator, &held.id, days, now - Duration::days(9)).await?;
    store.publish_agenda(&coordinator, &held.id, now - Duration::days(9)).await?;
    let view = store.meeting(&coordinator, &held.id, today, now - Duration::days(8)).await?;
    let minutes = store.start_minutes(&coordinator, &held.id, now - Duration::days(8)).await?;
    let items: Vec<MinutesItemInput> = view
        .items
        .iter()
        .filter(|i| i.full.is_some())
        .take(3)
        .map(|i| MinutesItemInput {
            agenda_item: i.id.clone(),
            summary: "Status gennemgået. Borgeren deltager i forløbet.".to_owned(),
            decisions: "Fortsætter som planlagt.".to_owned(),
        })
        .collect();
    let attendance: Vec<String> = ["koordinator", "politi", "psykiatri", "socialraadgiver"].map(str::to_owned).to_vec();
    store.save_minutes(&coordinator, &minutes, &attendance, items, now - Duration::days(8)).await?;
    if let Some(item) = view.items.iter().find(|i| i.full.as_ref().is_some_and(|f| f.case_id.is_some())) {
        let task = NewTask {
            title: "Indkald til netværksmøde med familien".to_owned(),
            owner_agency: AgencyCode::parse("KK-SEK").context("demo agency code")?,
            assignee: None,
            due_on: held.starts_at.date() + Duration::days(7),
        };
        store.add_action_item(&coordinator, &minutes, &item.id, task, now - Duration::days(8)).await?;
    }
    store.approve_minutes(&coordinator, &minutes, now - Duration::days(7)).await?;
    store.build_agenda(&coordinator, &next.id, days, now).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use infohus_domain::Cpr;
    use infohus_store::{InboxFilter, sqlite_url};
    use time::macros::{date, datetime};

    #[test]
    fn the_prng_is_deterministic() {
        let stream = |seed| {
            let mut r = Rng::new(seed);
            (0..100).map(|_| r.next_u64()).collect::<Vec<_>>()
        };
        assert_eq!(stream(7), stream(7));
        assert_ne!(stream(7), stream(8));
        let mut r = Rng::new(1);
        assert!((0..1000).all(|_| (3..=9).contains(&r.between(3, 9))));
        assert_eq!(r.between(5, 5), 5);
        assert_eq!(r.below(0), 0);
    }

    #[test]
    fn passwords_are_reproducible_and_long_enough() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        for _ in 0..50 {
            let p = demo_password(&mut a);
            assert_eq!(p, demo_password(&mut b));
            assert!(p.len() >= 16 && p.starts_with("demo-"), "{p}");
        }
    }

    #[test]
    fn synthetic_cprs_parse_to_the_intended_birth_date() {
        let mut rng = Rng::new(3);
        let mut day = date!(1958 - 01 - 01);
        while day < date!(2036 - 12 - 31) {
            for male in [true, false] {
                let raw = synthetic_cpr(&mut rng, day, male).unwrap();
                let cpr = Cpr::parse(&raw).unwrap();
                assert_eq!(cpr.birth_date(), day, "{raw}");
                let last = raw.bytes().last().unwrap() - b'0';
                assert_eq!(last % 2 == 1, male);
            }
            day += Duration::days(13);
        }
        assert_eq!(synthetic_cpr(&mut rng, date!(1850 - 01 - 01), true), None);
    }

    #[test]
    fn weighted_pick_covers_every_option() {
        let mut rng = Rng::new(11);
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            seen.insert(weighted(&mut rng, &CATEGORIES));
        }
        assert_eq!(seen.len(), CATEGORIES.len());
        let mut seen = HashSet::new();
        for _ in 0..10_000 {
            seen.insert(weighted(&mut rng, &CHANNELS));
        }
        assert_eq!(seen.len(), CHANNELS.len());
        assert_eq!(weighted::<&str>(&mut rng, &[]), "");
        assert_eq!(pick::<&str>(&mut rng, &[]), "");
    }

    #[test]
    fn every_channel_has_a_referrer_kind() {
        let mut rng = Rng::new(5);
        for (channel, _) in CHANNELS {
            for young in [true, false] {
                assert!(kind_for(&mut rng, channel, young).is_some(), "{channel}");
            }
        }
    }

    async fn open_store(name: &str, now: OffsetDateTime) -> (Store, std::path::PathBuf) {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("infohus-demo-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Store::open(&sqlite_url(&dir), &dir.join("keys"), now).await.unwrap();
        (store, dir)
    }

    /// What a coordinator sees, without the store's generated ids.
    async fn contents(store: &Store, now: OffsetDateTime) -> Vec<String> {
        let coordinator = store.actor_for_operator(COORDINATOR).await.unwrap();
        let page = store.inbox(&coordinator, &InboxFilter::default(), None, 1000, now).await.unwrap();
        assert!(page.next_cursor.is_none());
        let mut rows: Vec<String> = page
            .items
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {} {} {:?} {} {} {}",
                    r.received_at,
                    r.channel.as_str(),
                    r.concern_category.as_str(),
                    r.urgency.as_str(),
                    r.subject.name.expose(),
                    r.subject.birth_date,
                    r.description.expose(),
                    r.under_18,
                    r.suggested_person_id.is_some(),
                )
            })
            .collect();
        rows.sort();
        rows
    }

    #[tokio::test]
    async fn fills_an_empty_store_once_and_reproducibly() {
        let now = datetime!(2026-05-04 10:30 UTC);
        let options = DemoOptions { seed: 7, persons: 30, referrals: 50 };
        let (store, dir) = open_store("a", now).await;
        let summary = fill(&store, &options, now).await.unwrap();
        assert_eq!(summary.referrals, 50);
        assert_eq!(summary.agencies, AGENCIES.len());
        assert!((30..=40).contains(&summary.persons), "{}", summary.persons);
        for role in Role::ALL {
            assert!(summary.logins.iter().any(|l| l.role == role), "{role}");
        }
        let infohus = store.default_infohus().await.unwrap();
        assert_eq!(store.infohus_name(&infohus).await.unwrap(), INFOHUS_NAME);

        let seen = contents(&store, now).await;
        assert_eq!(seen.len(), 50);
        assert!(seen.iter().any(|r| r.ends_with(" true")), "a suggested match");
        assert!(seen.iter().any(|r| r.contains(" true ")), "a child");
        assert!(fill(&store, &options, now).await.is_err());

        let (other, other_dir) = open_store("b", now).await;
        let again = fill(&other, &options, now).await.unwrap();
        assert_eq!(contents(&other, now).await, seen);
        let passwords = |s: &DemoSummary| s.logins.iter().map(|l| l.password.clone()).collect::<Vec<_>>();
        assert_eq!(passwords(&again), passwords(&summary));

        for (store, dir) in [(store, dir), (other, other_dir)] {
            store.close().await;
            let _ = std::fs::remove_dir_all(&dir);
        }
    }

    /// What the browser scan (`e2e/axe.mjs`) looks for in a demo made like its own
    /// (`--persons 150 --referrals 250`, default seed); each missing thing is named.
    async fn missing_for_the_scan(store: &Store, now: OffsetDateTime) -> Vec<&'static str> {
        use infohus_store::WorkScope;
        let mut missing = Vec::new();
        let coordinator = store.actor_for_operator(COORDINATOR).await.unwrap();
        let work = store.my_work(&coordinator, WorkScope::Mine, now).await.unwrap();
        if work.awaiting_screening.is_empty() {
            missing.push("a referral awaiting screening in the coordinator's work");
        }
        let today = copenhagen_date(now);
        let meetings = store.meetings(&coordinator, today - Duration::days(15), 4).await.unwrap();
        let mut held = false;
        let mut next = None;
        for meeting in &meetings {
            let minutes = store.minutes(&coordinator, &meeting.id, now).await.unwrap();
            held |= minutes.is_some_and(|m| m.status == "approved");
            if meeting.agenda_status == "draft" && next.is_none() {
                next = Some(meeting.id.clone());
            }
        }
        if !held {
            missing.push("a held meeting with approved minutes");
        }
        let Some(next) = next else {
            missing.push("a meeting with a draft agenda");
            return missing;
        };
        let view = store.meeting(&coordinator, &next, today, now).await.unwrap();
        let mut cases: Vec<infohus_domain::CaseId> = Vec::new();
        for item in &view.items {
            if let Some(case) = item.full.as_ref().and_then(|f| f.case_id.clone())
                && !cases.contains(&case)
            {
                cases.push(case);
            }
        }
        if cases.len() < 2 {
            missing.push("two cases on the agenda");
        }
        let mut views = Vec::new();
        for case in &cases {
            views.push(store.case(&coordinator, case, now).await.unwrap());
        }
        let full =
            views.iter().find(|v| !v.assessments.is_empty() && !v.interventions.is_empty() && !v.tasks.is_empty());
        let Some(full) = full else {
            missing.push("a case on the agenda with assessments, interventions and tasks");
            return missing;
        };
        if store.person(&coordinator, &full.person_id, now).await.unwrap().birth_date.is_none() {
            missing.push("a birth date for that case's person (the match suggestion)");
        }
        // The scan closes the first other case, then breaks the glass on the full case or
        // one of the rest.
        let closed = views.iter().find(|v| v.id != full.id).map(|v| v.id.clone());
        let outside = |v: &&infohus_store::CaseView| {
            CASE_MEMBERS.iter().any(|(code, _)| !v.agencies.iter().any(|a| a.code == *code))
        };
        if !views.iter().filter(|v| Some(&v.id) != closed.as_ref()).any(|v| outside(&v)) {
            missing.push("a case on the agenda with a member outside it to break the glass");
        }
        let police = store.actor_for_operator("politi").await.unwrap();
        if store.my_work(&police, WorkScope::Agency, now).await.unwrap().checks.is_empty() {
            missing.push("a register check asked of the police");
        }
        let mentor = store.actor_for_operator("mentor").await.unwrap();
        if store.my_work(&mentor, WorkScope::Mine, now).await.unwrap().reviews.is_empty() {
            missing.push("an intervention in the mentor's work");
        }
        missing
    }

    /// The demo follows the clock (referral times, and so every draw after them, depend on
    /// the hour and weekday it is made), and CI runs at any hour: the scan's demo has what
    /// the scan needs at the hours and days where Copenhagen and UTC disagree about the date,
    /// on both summer-time changes, over New Year and on each weekday. (CI once ran at 00:17
    /// UTC on a Monday and found no open police check; two of these instants had no member
    /// outside the full case before the scan looked at the other cases.)
    /// `INFOHUS_DEMO_SWEEP_HOURS=N` checks every hour of the N hours from Monday 2026-11-23
    /// 00:30 UTC instead (168 for a whole week; about four seconds per hour).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_scanned_demo_has_what_the_browser_scan_needs_at_any_hour() {
        let options = DemoOptions { seed: 2026, persons: 150, referrals: 250 };
        let sweep: Option<i64> = std::env::var("INFOHUS_DEMO_SWEEP_HOURS").ok().and_then(|h| h.parse().ok());
        let instants: Vec<OffsetDateTime> = match sweep {
            Some(hours) => (0..hours).map(|h| datetime!(2026-11-23 00:30 UTC) + Duration::hours(h)).collect(),
            None => vec![
                datetime!(2026-11-22 10:30 UTC),
                datetime!(2026-11-22 23:30 UTC),
                datetime!(2026-11-23 00:17 UTC),
                datetime!(2026-11-25 12:00 UTC),
                datetime!(2026-11-26 07:45 UTC),
                datetime!(2026-11-27 23:50 UTC),
                datetime!(2026-11-28 16:20 UTC),
                datetime!(2026-03-29 01:30 UTC),
                datetime!(2026-10-24 22:40 UTC),
                datetime!(2026-12-31 23:05 UTC),
            ],
        };
        let mut failures = Vec::new();
        for now in instants {
            let (store, dir) = open_store("scan", now).await;
            fill(&store, &options, now).await.unwrap();
            let missing = missing_for_the_scan(&store, now).await;
            if !missing.is_empty() {
                failures.push(format!("{now}: {}", missing.join("; ")));
            }
            store.close().await;
            let _ = std::fs::remove_dir_all(&dir);
        }
        assert!(failures.is_empty(), "the demo lacks what the scan needs:\n{}", failures.join("\n"));
    }

    /// The must-show for generated agendas: on the demo infohus, every item of the next
    /// meeting's agenda and every reason is checked against the case states read directly
    /// from the database, nothing that should be there is missing, and a rebuild changes nothing.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_next_agenda_of_the_demo_matches_the_case_states() {
        use infohus_domain::agenda::Reason;
        use std::collections::{BTreeMap, BTreeSet};
        let now = datetime!(2026-11-22 10:30 UTC);
        let (store, dir) = open_store("agenda", now).await;
        fill(&store, &DemoOptions { seed: 2026, persons: 150, referrals: 260 }, now).await.unwrap();
        let coordinator = store.actor_for_operator(COORDINATOR).await.unwrap();
        let today = copenhagen_date(now);
        let meetings = store.meetings(&coordinator, today, 3).await.unwrap();
        let (next, after) = (&meetings[0], &meetings[1]);
        assert_eq!(next.agenda_status, "draft", "the demo builds the next agenda");
        let view = store.meeting(&coordinator, &next.id, today, now).await.unwrap();

        let mut seen: BTreeMap<String, BTreeSet<(String, Option<Date>)>> = BTreeMap::new();
        for item in view.items.iter().filter(|i| i.status == "on_agenda" && i.kind != "free") {
            let full = item.full.as_ref().expect("a coordinator sees every item in full");
            let subject = full
                .case_id
                .as_ref()
                .map(|c| c.as_str().to_owned())
                .or(full.referral_id.as_ref().map(|r| r.as_str().to_owned()))
                .unwrap();
            let reasons = item.reasons.iter().map(|r| (r.reason.as_str().to_owned(), r.date)).collect();
            assert!(seen.insert(subject, reasons).is_none(), "one item per case or referral");
        }

        // The oracle: the same rules, straight from the tables.
        let pool = sqlx::AnyPool::connect(&sqlite_url(&dir)).await.unwrap();
        let day = |raw: String| Date::parse(&raw, &time::format_description::well_known::Iso8601::DATE).unwrap();
        let (meeting_on, next_on) = (next.starts_at.date(), after.starts_at.date());
        let mut expected: BTreeMap<String, BTreeSet<(String, Option<Date>)>> = BTreeMap::new();
        let mut add = |subject: String, reason: Reason, date: Date| {
            expected.entry(subject).or_default().insert((reason.as_str().to_owned(), Some(date)));
        };
        let rows: Vec<(String, String)> =
            sqlx::query_as("SELECT id, received_at FROM referrals WHERE status IN ('received', 'screening')")
                .fetch_all(&pool)
                .await
                .unwrap();
        for (id, received) in rows {
            let at = OffsetDateTime::parse(&received, &time::format_description::well_known::Rfc3339).unwrap();
            let local = infohus_domain::calendar::copenhagen_wall(at);
            if local > next.cutoff_at {
                continue;
            }
            let due = infohus_domain::calendar::screening_due(local.date(), 5).unwrap();
            if due < meeting_on {
                add(id, Reason::ScreeningOverdue, due)
            } else {
                add(id, Reason::NewReferral, local.date())
            }
        }
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.case_id, i.review_on FROM interventions i JOIN cases c ON c.id = i.case_id
             WHERE i.status IN ('planned', 'active') AND c.status = 'open'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for (case, review) in rows {
            let review = day(review);
            if review <= next_on {
                add(case, Reason::ReviewDue, review);
            }
        }
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT t.case_id, t.due_on FROM tasks t JOIN cases c ON c.id = t.case_id
             WHERE t.meeting_id IS NOT NULL AND t.status = 'open' AND c.status = 'open'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        assert!(!rows.is_empty(), "the demo's last meeting left an action item");
        for (case, due) in rows {
            let due = day(due);
            add(case, if due < meeting_on { Reason::ActionItemOverdue } else { Reason::ActionItemOpen }, due);
        }
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT n.case_id, n.expected_on FROM release_notices n JOIN cases c ON c.id = n.case_id WHERE c.status = 'open'",
        )
        .fetch_all(&pool)
        .await
        .unwrap();
        for (case, expected_on) in rows {
            let expected_on = day(expected_on);
            if expected_on >= meeting_on && expected_on <= meeting_on + Duration::days(90) {
                add(case, Reason::ReleaseSoon, expected_on);
            }
        }
        pool.close().await;
        assert!(expected.len() > 10, "a realistic agenda: {} items", expected.len());
        assert_eq!(seen, expected);

        // The same state gives the same agenda.
        store.build_agenda(&coordinator, &next.id, 5, now).await.unwrap();
        let again = store.meeting(&coordinator, &next.id, today, now).await.unwrap();
        let shape = |v: &infohus_store::MeetingView| {
            v.items
                .iter()
                .map(|i| (i.id.as_str().to_owned(), i.position, format!("{:?}", i.reasons)))
                .collect::<Vec<_>>()
        };
        assert_eq!(shape(&again), shape(&view));
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
