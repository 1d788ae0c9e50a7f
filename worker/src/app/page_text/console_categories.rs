//! Strings of the console's cookie categories page (`console_categories`), English and Welsh.

use consent_shared::basis::CookieBasis;

use super::PageLang;

pub struct CategoriesText {
    pub title: &'static str,
    pub intro: &'static str,
    pub bases: &'static str,
    pub always_consent: &'static str,
    pub strictly_necessary: &'static str,
    pub strictly_necessary_meaning: &'static str,
    pub consent: &'static str,
    pub consent_meaning: &'static str,
    pub statistics: &'static str,
    pub statistics_meaning: &'static str,
    pub appearance: &'static str,
    pub appearance_meaning: &'static str,
    pub attribute: &'static str,
    pub key: &'static str,
    pub key_hint: &'static str,
    pub basis: &'static str,
    pub signals: &'static str,
    pub signals_hint: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub save: &'static str,
    pub add: &'static str,
    pub new_category: &'static str,
    pub saved: &'static str,
    pub error_summary: &'static str,
    pub error_field: &'static str,
    pub error_choice: &'static str,
    pub unknown_target: &'static str,
}

impl CategoriesText {
    pub fn basis_name(&self, basis: CookieBasis) -> &'static str {
        match basis {
            CookieBasis::StrictlyNecessary => self.strictly_necessary,
            CookieBasis::Consent => self.consent,
            CookieBasis::Statistics => self.statistics,
            CookieBasis::Appearance => self.appearance,
        }
    }

    pub fn basis_meaning(&self, basis: CookieBasis) -> &'static str {
        match basis {
            CookieBasis::StrictlyNecessary => self.strictly_necessary_meaning,
            CookieBasis::Consent => self.consent_meaning,
            CookieBasis::Statistics => self.statistics_meaning,
            CookieBasis::Appearance => self.appearance_meaning,
        }
    }
}

impl PageLang {
    pub fn categories(self) -> &'static CategoriesText {
        match self {
            PageLang::En => &EN,
            PageLang::Cy => &CY,
        }
    }
}

static EN: CategoriesText = CategoriesText {
    title: "Cookie categories",
    intro: "The cookie banner asks visitors about these groups of cookies. Mark each script, iframe or image that sets such cookies with its category, and it runs only once the category is accepted.",
    bases: "What each basis means",
    always_consent: "Advertising, profiling and cross-site tracking always need the visitor's consent: give such a category the basis \"Needs consent\".",
    strictly_necessary: "Strictly necessary",
    strictly_necessary_meaning: "Essential to what the visitor asked for (remembering their cookie choice, a shopping basket, signing in): always on, shown as such, never asked about.",
    consent: "Needs consent",
    consent_meaning: "Runs only after the visitor accepts it. Everything that is not one of the other three.",
    statistics: "Statistics",
    statistics_meaning: "Your own statistics of how the site is used, to improve it. Under UK rules it runs unless the visitor objects; under EU rules it waits for consent. It may grant only analytics_storage.",
    appearance: "Appearance",
    appearance_meaning: "Remembering the visitor's choice of how the site looks or works. Under UK rules it runs unless the visitor objects; under EU rules it waits for consent. It may grant only analytics_storage.",
    attribute: "Mark its scripts with",
    key: "Key",
    key_hint: "Lower-case letters, digits, - or _, like analytics. It is the value of data-consent-category.",
    basis: "Basis",
    signals: "Google Consent Mode signals granted when accepted",
    signals_hint: "None ticked: accepting the category grants none, and every signal stays denied.",
    label: "Label",
    description: "Description",
    save: "Save category",
    add: "Add a category",
    new_category: "New category",
    saved: "The cookie categories are saved.",
    error_summary: "Nothing was saved. Correct these fields:",
    error_field: "This value cannot be used.",
    error_choice: "Choose one of the options.",
    unknown_target: "That category is not on this site.",
};

static CY: CategoriesText = CategoriesText {
    title: "Categorïau cwcis",
    intro: "Mae'r faner cwcis yn holi ymwelwyr am y grwpiau hyn o gwcis. Marciwch bob sgript, iframe neu ddelwedd sy'n gosod cwcis o'r fath gyda'i chategori, a bydd yn rhedeg dim ond ar ôl derbyn y categori.",
    bases: "Ystyr pob sail",
    always_consent: "Mae hysbysebu, proffilio ac olrhain ar draws gwefannau bob amser angen caniatâd yr ymwelydd: rhowch y sail \"Angen caniatâd\" i gategori o'r fath.",
    strictly_necessary: "Cwbl angenrheidiol",
    strictly_necessary_meaning: "Hanfodol i'r hyn a ofynnodd yr ymwelydd amdano (cofio ei ddewis cwcis, basged siopa, mewngofnodi): bob amser ymlaen, yn cael ei ddangos felly, byth yn cael ei holi.",
    consent: "Angen caniatâd",
    consent_meaning: "Yn rhedeg dim ond ar ôl i'r ymwelydd ei dderbyn. Popeth nad yw'n un o'r tri arall.",
    statistics: "Ystadegau",
    statistics_meaning: "Eich ystadegau eich hun am sut y defnyddir y wefan, i'w gwella. O dan reolau'r DU mae'n rhedeg oni bai bod yr ymwelydd yn gwrthwynebu; o dan reolau'r UE mae'n aros am ganiatâd. Dim ond analytics_storage y caiff ei roi.",
    appearance: "Golwg",
    appearance_meaning: "Cofio dewis yr ymwelydd o sut mae'r wefan yn edrych neu'n gweithio. O dan reolau'r DU mae'n rhedeg oni bai bod yr ymwelydd yn gwrthwynebu; o dan reolau'r UE mae'n aros am ganiatâd. Dim ond analytics_storage y caiff ei roi.",
    attribute: "Marciwch ei sgriptiau gyda",
    key: "Allwedd",
    key_hint: "Llythrennau bach, digidau, - neu _, fel analytics. Dyma werth data-consent-category.",
    basis: "Sail",
    signals: "Signalau Google Consent Mode a roddir wrth ei dderbyn",
    signals_hint: "Dim wedi'u ticio: nid yw derbyn y categori yn rhoi dim, ac mae pob signal yn aros wedi'i wrthod.",
    label: "Label",
    description: "Disgrifiad",
    save: "Cadw'r categori",
    add: "Ychwanegu categori",
    new_category: "Categori newydd",
    saved: "Mae'r categorïau cwcis wedi'u cadw.",
    error_summary: "Ni chadwyd dim. Cywirwch y meysydd hyn:",
    error_field: "Ni ellir defnyddio'r gwerth hwn.",
    error_choice: "Dewiswch un o'r opsiynau.",
    unknown_target: "Nid yw'r categori hwnnw ar y wefan hon.",
};
