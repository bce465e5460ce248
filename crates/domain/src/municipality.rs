//! Denmark's 98 municipalities (kommuner) since the 2007 structural reform: official kommunekode,
//! Danish name and the police district (politikreds) each belongs to. A built-in table; no I/O.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoliceDistrict {
    Nordjylland,
    Oestjylland,
    MidtOgVestjylland,
    Sydoestjylland,
    SydOgSoenderjylland,
    Fyn,
    SydsjaellandOgLollandFalster,
    MidtOgVestsjaelland,
    Nordsjaelland,
    KoebenhavnsVestegn,
    Koebenhavn,
    Bornholm,
}

impl PoliceDistrict {
    pub const ALL: [PoliceDistrict; 12] = [
        PoliceDistrict::Nordjylland,
        PoliceDistrict::Oestjylland,
        PoliceDistrict::MidtOgVestjylland,
        PoliceDistrict::Sydoestjylland,
        PoliceDistrict::SydOgSoenderjylland,
        PoliceDistrict::Fyn,
        PoliceDistrict::SydsjaellandOgLollandFalster,
        PoliceDistrict::MidtOgVestsjaelland,
        PoliceDistrict::Nordsjaelland,
        PoliceDistrict::KoebenhavnsVestegn,
        PoliceDistrict::Koebenhavn,
        PoliceDistrict::Bornholm,
    ];

    /// Stable snake_case code, e.g. `koebenhavns_vestegn`.
    pub fn code(self) -> &'static str {
        match self {
            PoliceDistrict::Nordjylland => "nordjylland",
            PoliceDistrict::Oestjylland => "oestjylland",
            PoliceDistrict::MidtOgVestjylland => "midt_og_vestjylland",
            PoliceDistrict::Sydoestjylland => "sydoestjylland",
            PoliceDistrict::SydOgSoenderjylland => "syd_og_soenderjylland",
            PoliceDistrict::Fyn => "fyn",
            PoliceDistrict::SydsjaellandOgLollandFalster => "sydsjaelland_og_lolland_falster",
            PoliceDistrict::MidtOgVestsjaelland => "midt_og_vestsjaelland",
            PoliceDistrict::Nordsjaelland => "nordsjaelland",
            PoliceDistrict::KoebenhavnsVestegn => "koebenhavns_vestegn",
            PoliceDistrict::Koebenhavn => "koebenhavn",
            PoliceDistrict::Bornholm => "bornholm",
        }
    }

    /// The district's Danish name, e.g. `Københavns Politi`.
    pub fn name(self) -> &'static str {
        match self {
            PoliceDistrict::Nordjylland => "Nordjyllands Politi",
            PoliceDistrict::Oestjylland => "Østjyllands Politi",
            PoliceDistrict::MidtOgVestjylland => "Midt- og Vestjyllands Politi",
            PoliceDistrict::Sydoestjylland => "Sydøstjyllands Politi",
            PoliceDistrict::SydOgSoenderjylland => "Syd- og Sønderjyllands Politi",
            PoliceDistrict::Fyn => "Fyns Politi",
            PoliceDistrict::SydsjaellandOgLollandFalster => "Sydsjællands og Lolland-Falsters Politi",
            PoliceDistrict::MidtOgVestsjaelland => "Midt- og Vestsjællands Politi",
            PoliceDistrict::Nordsjaelland => "Nordsjællands Politi",
            PoliceDistrict::KoebenhavnsVestegn => "Københavns Vestegns Politi",
            PoliceDistrict::Koebenhavn => "Københavns Politi",
            PoliceDistrict::Bornholm => "Bornholms Politi",
        }
    }

    /// The inverse of [`PoliceDistrict::code`].
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|district| district.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Municipality {
    pub code: u16,
    pub name: &'static str,
    pub district: PoliceDistrict,
}

impl Municipality {
    /// Four-digit form used in referrals, e.g. "0101".
    pub fn padded_code(&self) -> String {
        format!("{:04}", self.code)
    }
}

const fn m(code: u16, name: &'static str, district: PoliceDistrict) -> Municipality {
    Municipality { code, name, district }
}

type D = PoliceDistrict;

/// All 98 municipalities, sorted by code. Christiansø (411) is not a municipality and is absent.
pub const MUNICIPALITIES: [Municipality; 98] = [
    m(101, "København", D::Koebenhavn),
    m(147, "Frederiksberg", D::Koebenhavn),
    m(151, "Ballerup", D::KoebenhavnsVestegn),
    m(153, "Brøndby", D::KoebenhavnsVestegn),
    m(155, "Dragør", D::Koebenhavn),
    m(157, "Gentofte", D::Nordsjaelland),
    m(159, "Gladsaxe", D::Nordsjaelland),
    m(161, "Glostrup", D::KoebenhavnsVestegn),
    m(163, "Herlev", D::KoebenhavnsVestegn),
    m(165, "Albertslund", D::KoebenhavnsVestegn),
    m(167, "Hvidovre", D::KoebenhavnsVestegn),
    m(169, "Høje-Taastrup", D::KoebenhavnsVestegn),
    m(173, "Lyngby-Taarbæk", D::Nordsjaelland),
    m(175, "Rødovre", D::KoebenhavnsVestegn),
    m(183, "Ishøj", D::KoebenhavnsVestegn),
    m(185, "Tårnby", D::Koebenhavn),
    m(187, "Vallensbæk", D::KoebenhavnsVestegn),
    m(190, "Furesø", D::Nordsjaelland),
    m(201, "Allerød", D::Nordsjaelland),
    m(210, "Fredensborg", D::Nordsjaelland),
    m(217, "Helsingør", D::Nordsjaelland),
    m(219, "Hillerød", D::Nordsjaelland),
    m(223, "Hørsholm", D::Nordsjaelland),
    m(230, "Rudersdal", D::Nordsjaelland),
    m(240, "Egedal", D::Nordsjaelland),
    m(250, "Frederikssund", D::Nordsjaelland),
    m(253, "Greve", D::SydsjaellandOgLollandFalster),
    m(259, "Køge", D::SydsjaellandOgLollandFalster),
    m(260, "Halsnæs", D::Nordsjaelland),
    m(265, "Roskilde", D::MidtOgVestsjaelland),
    m(269, "Solrød", D::SydsjaellandOgLollandFalster),
    m(270, "Gribskov", D::Nordsjaelland),
    m(306, "Odsherred", D::MidtOgVestsjaelland),
    m(316, "Holbæk", D::MidtOgVestsjaelland),
    m(320, "Faxe", D::SydsjaellandOgLollandFalster),
    m(326, "Kalundborg", D::MidtOgVestsjaelland),
    m(329, "Ringsted", D::MidtOgVestsjaelland),
    m(330, "Slagelse", D::MidtOgVestsjaelland),
    m(336, "Stevns", D::SydsjaellandOgLollandFalster),
    m(340, "Sorø", D::MidtOgVestsjaelland),
    m(350, "Lejre", D::MidtOgVestsjaelland),
    m(360, "Lolland", D::SydsjaellandOgLollandFalster),
    m(370, "Næstved", D::SydsjaellandOgLollandFalster),
    m(376, "Guldborgsund", D::SydsjaellandOgLollandFalster),
    m(390, "Vordingborg", D::SydsjaellandOgLollandFalster),
    m(400, "Bornholm", D::Bornholm),
    m(410, "Middelfart", D::Fyn),
    m(420, "Assens", D::Fyn),
    m(430, "Faaborg-Midtfyn", D::Fyn),
    m(440, "Kerteminde", D::Fyn),
    m(450, "Nyborg", D::Fyn),
    m(461, "Odense", D::Fyn),
    m(479, "Svendborg", D::Fyn),
    m(480, "Nordfyns", D::Fyn),
    m(482, "Langeland", D::Fyn),
    m(492, "Ærø", D::Fyn),
    m(510, "Haderslev", D::SydOgSoenderjylland),
    m(530, "Billund", D::Sydoestjylland), // checked: uncertain
    m(540, "Sønderborg", D::SydOgSoenderjylland),
    m(550, "Tønder", D::SydOgSoenderjylland),
    m(561, "Esbjerg", D::SydOgSoenderjylland),
    m(563, "Fanø", D::SydOgSoenderjylland),
    m(573, "Varde", D::SydOgSoenderjylland),
    m(575, "Vejen", D::SydOgSoenderjylland), // checked: uncertain
    m(580, "Aabenraa", D::SydOgSoenderjylland),
    m(607, "Fredericia", D::Sydoestjylland),
    m(615, "Horsens", D::Sydoestjylland),
    m(621, "Kolding", D::Sydoestjylland),
    m(630, "Vejle", D::Sydoestjylland),
    m(657, "Herning", D::MidtOgVestjylland),
    m(661, "Holstebro", D::MidtOgVestjylland),
    m(665, "Lemvig", D::MidtOgVestjylland),
    m(671, "Struer", D::MidtOgVestjylland),
    m(706, "Syddjurs", D::Oestjylland),
    m(707, "Norddjurs", D::Oestjylland),
    m(710, "Favrskov", D::Oestjylland),
    m(727, "Odder", D::Oestjylland),
    m(730, "Randers", D::Oestjylland),
    m(740, "Silkeborg", D::MidtOgVestjylland),
    m(741, "Samsø", D::Oestjylland),
    m(746, "Skanderborg", D::Oestjylland),
    m(751, "Aarhus", D::Oestjylland),
    m(756, "Ikast-Brande", D::MidtOgVestjylland),
    m(760, "Ringkøbing-Skjern", D::MidtOgVestjylland),
    m(766, "Hedensted", D::Sydoestjylland),
    m(773, "Morsø", D::Nordjylland),
    m(779, "Skive", D::MidtOgVestjylland),
    m(787, "Thisted", D::Nordjylland),
    m(791, "Viborg", D::MidtOgVestjylland),
    m(810, "Brønderslev", D::Nordjylland),
    m(813, "Frederikshavn", D::Nordjylland),
    m(820, "Vesthimmerlands", D::Nordjylland),
    m(825, "Læsø", D::Nordjylland),
    m(840, "Rebild", D::Nordjylland),
    m(846, "Mariagerfjord", D::Nordjylland),
    m(849, "Jammerbugt", D::Nordjylland),
    m(851, "Aalborg", D::Nordjylland),
    m(860, "Hjørring", D::Nordjylland),
];

/// Looks a municipality up by its kommunekode.
/// Accepts "101", "0101" (3 or 4 digits, leading zero allowed).
pub fn by_code(code: &str) -> Option<&'static Municipality> {
    let digits = match code.len() {
        3 => code,
        4 => code.strip_prefix('0')?,
        _ => return None,
    };
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u16 = digits.parse().ok()?;
    MUNICIPALITIES.binary_search_by_key(&number, |m| m.code).ok().and_then(|i| MUNICIPALITIES.get(i))
}

/// The municipalities a police district covers, in code order.
pub fn in_district(district: PoliceDistrict) -> impl Iterator<Item = &'static Municipality> {
    MUNICIPALITIES.iter().filter(move |m| m.district == district)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_has_98_unique_sorted_codes_and_unique_names() {
        assert_eq!(MUNICIPALITIES.len(), 98);
        assert!(MUNICIPALITIES.windows(2).all(|w| w[0].code < w[1].code), "codes must be strictly increasing");
        let names: HashSet<_> = MUNICIPALITIES.iter().map(|m| m.name).collect();
        assert_eq!(names.len(), 98);
        assert!(MUNICIPALITIES.iter().all(|m| (101..1000).contains(&m.code)));
    }

    #[test]
    fn every_district_is_covered_and_bornholm_has_one() {
        for district in PoliceDistrict::ALL {
            assert!(in_district(district).count() >= 1, "{district:?} has no municipality");
        }
        assert_eq!(in_district(PoliceDistrict::Bornholm).count(), 1);
        let total: usize = PoliceDistrict::ALL.into_iter().map(|d| in_district(d).count()).sum();
        assert_eq!(total, 98);
    }

    #[test]
    fn by_code_accepts_three_and_four_digits() {
        for raw in ["101", "0101"] {
            let m = by_code(raw).unwrap();
            assert_eq!(m.name, "København");
            assert_eq!(m.district, PoliceDistrict::Koebenhavn);
            assert_eq!(m.district.name(), "Københavns Politi");
            assert_eq!(m.padded_code(), "0101");
        }
        assert_eq!(by_code("0851").map(|m| m.name), Some("Aalborg"));
    }

    #[test]
    fn by_code_rejects_unknown_and_malformed() {
        for raw in ["411", "0411", "999", "", "abcd", "01010", "1010", "10", "+101", " 101", "10a"] {
            assert_eq!(by_code(raw), None, "{raw:?}");
        }
    }

    #[test]
    fn district_codes_round_trip() {
        for district in PoliceDistrict::ALL {
            assert_eq!(PoliceDistrict::parse(district.code()), Some(district));
        }
        assert_eq!(PoliceDistrict::parse("Koebenhavn"), None);
        assert_eq!(PoliceDistrict::parse(""), None);
    }

    #[test]
    fn spot_checks() {
        let cases = [
            ("461", "Odense", PoliceDistrict::Fyn),
            ("751", "Aarhus", PoliceDistrict::Oestjylland),
            ("851", "Aalborg", PoliceDistrict::Nordjylland),
            ("561", "Esbjerg", PoliceDistrict::SydOgSoenderjylland),
            ("400", "Bornholm", PoliceDistrict::Bornholm),
            ("265", "Roskilde", PoliceDistrict::MidtOgVestsjaelland),
            ("167", "Hvidovre", PoliceDistrict::KoebenhavnsVestegn),
            ("147", "Frederiksberg", PoliceDistrict::Koebenhavn),
            ("329", "Ringsted", PoliceDistrict::MidtOgVestsjaelland),
        ];
        for (code, name, district) in cases {
            let m = by_code(code).unwrap();
            assert_eq!((m.name, m.district), (name, district), "{code}");
        }
    }
}
