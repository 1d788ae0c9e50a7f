//! The words of the complaint pages (issue 14): the form on `/complaints/{site}` and in the
//! preference centre, the acknowledgement email, and the status page behind its link — English
//! and Welsh. Plain text only: the pages escape everything. `{org}`, `{reference}`, `{date}`,
//! `{max}` are filled in by the caller.

use consent_shared::register::Status;

use super::PageLang;

pub struct ComplaintText {
    pub title: &'static str,
    pub intro: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub email_help: &'static str,
    pub complaint: &'static str,
    pub complaint_help: &'static str,
    pub send: &'static str,
    pub errors_summary: &'static str,
    pub text_missing: &'static str,
    pub text_too_long: &'static str,
    pub bad_email: &'static str,
    pub bad_name: &'static str,
    pub received_title: &'static str,
    pub received: &'static str,
    /// After the reference: the acknowledgement is on its way (said the same whether or not it can go).
    pub mailing: &'static str,
    pub next_steps: &'static str,
    pub ico_link: &'static str,
    /// The preference centre's section.
    pub section_heading: &'static str,
    pub section_intro: &'static str,
    // the acknowledgement email
    pub mail_subject: &'static str,
    pub mail_received: &'static str,
    pub mail_follow: &'static str,
    pub mail_ico: &'static str,
    // the status page
    pub status_title: &'static str,
    pub status_intro: &'static str,
    pub reference: &'static str,
    pub received_on: &'static str,
    pub status: &'static str,
    pub acknowledged_on: &'static str,
    pub closed_on: &'static str,
    pub reply: &'static str,
    pub not_yet: &'static str,
    pub status_received: &'static str,
    pub status_acknowledged: &'static str,
    pub status_closed: &'static str,
    pub link_broken_title: &'static str,
    pub link_broken: &'static str,
}

impl ComplaintText {
    pub fn status_name(&self, status: Status) -> &'static str {
        match status {
            Status::Received => self.status_received,
            Status::Acknowledged => self.status_acknowledged,
            Status::Closed => self.status_closed,
        }
    }
}

impl PageLang {
    pub fn complaints(self) -> &'static ComplaintText {
        match self {
            PageLang::En => &EN,
            PageLang::Cy => &CY,
        }
    }
}

/// What a self-service entry in the register says was done (the register is the staff's record,
/// kept in English as the rest of its entries are written).
pub const SELF_SERVICE_DOWNLOAD: &str =
    "The person downloaded a copy of their data from the preference centre.";
pub const SELF_SERVICE_ERASE: &str = "The person erased their data from the preference centre; a suppression entry keeps them from being added again.";
pub const SELF_SERVICE_RESTRICT: &str =
    "The person restricted the use of their data from the preference centre.";
pub const SELF_SERVICE_RECTIFY: &str = "The person corrected their details in the preference centre (a new address takes effect once confirmed from it).";

static EN: ComplaintText = ComplaintText {
    title: "Complain about how your data is used",
    intro: "If you are unhappy with how {org} uses your personal data, tell us here. We acknowledge every complaint within 30 days, look into it and tell you the outcome.",
    name: "Your name (optional)",
    email: "Your email address",
    email_help: "We send the acknowledgement and our reply to this address.",
    complaint: "Your complaint",
    complaint_help: "What happened, and what you would like us to do. Up to {max} characters.",
    send: "Send complaint",
    errors_summary: "Nothing was sent. Please correct what is marked below.",
    text_missing: "Write your complaint.",
    text_too_long: "Your complaint is too long: shorten it to {max} characters or fewer.",
    bad_email: "Enter an email address like name@example.org.",
    bad_name: "Your name is too long or contains characters we cannot keep.",
    received_title: "Complaint received",
    received: "Thank you. Your complaint is recorded with the reference {reference}.",
    mailing: "We are sending an acknowledgement to the email address you gave, with a link where you can follow your complaint. Please note your reference in case it does not arrive: {org} will reply to the email address you gave.",
    next_steps: "What happens next: we acknowledge your complaint within 30 days of receiving it, look into it, and tell you the outcome. If you are not satisfied with our answer, you can complain to the Information Commissioner's Office (ICO).",
    ico_link: "How to complain to the ICO",
    section_heading: "Complain about how we use your data",
    section_intro: "If you are unhappy with how {org} uses your personal data, tell us here. We acknowledge every complaint within 30 days and reply to {email}.",
    mail_subject: "Your complaint to {org}: reference {reference}",
    mail_received: "{org} received your complaint about how it uses your personal data on {date}. Your reference is {reference}. We will look into it and tell you the outcome; this message is our acknowledgement.",
    mail_follow: "See where your complaint stands, and our reply once we have made it:",
    mail_ico: "If you are not satisfied with our answer, you can complain to the Information Commissioner's Office (ICO):",
    status_title: "Your complaint",
    status_intro: "Your complaint to {org} about how it uses your personal data.",
    reference: "Reference",
    received_on: "Received",
    status: "Status",
    acknowledged_on: "Acknowledged",
    closed_on: "Answered",
    reply: "Our reply",
    not_yet: "Not yet",
    status_received: "Received: not yet acknowledged",
    status_acknowledged: "Acknowledged: we are looking into it",
    status_closed: "Answered",
    link_broken_title: "This link does not work",
    link_broken: "Use the link in the most recent email about your complaint, or contact the organisation you complained to.",
};

static CY: ComplaintText = ComplaintText {
    title: "Cwyno am sut y defnyddir eich data",
    intro: "Os ydych yn anhapus â sut mae {org} yn defnyddio eich data personol, dywedwch wrthym yma. Rydym yn cydnabod pob cwyn o fewn 30 diwrnod, yn ymchwilio iddi ac yn rhoi gwybod i chi am y canlyniad.",
    name: "Eich enw (dewisol)",
    email: "Eich cyfeiriad e-bost",
    email_help: "Rydym yn anfon y gydnabyddiaeth a'n hateb i'r cyfeiriad hwn.",
    complaint: "Eich cwyn",
    complaint_help: "Beth ddigwyddodd, a beth yr hoffech i ni ei wneud. Hyd at {max} nod.",
    send: "Anfon y gŵyn",
    errors_summary: "Ni anfonwyd dim. Cywirwch yr hyn sydd wedi'i nodi isod.",
    text_missing: "Ysgrifennwch eich cwyn.",
    text_too_long: "Mae eich cwyn yn rhy hir: byrhewch hi i {max} nod neu lai.",
    bad_email: "Rhowch gyfeiriad e-bost fel enw@example.org.",
    bad_name: "Mae eich enw yn rhy hir neu'n cynnwys nodau na allwn eu cadw.",
    received_title: "Cwyn wedi dod i law",
    received: "Diolch. Mae eich cwyn wedi'i chofnodi gyda'r cyfeirnod {reference}.",
    mailing: "Rydym yn anfon cydnabyddiaeth i'r cyfeiriad e-bost a roesoch, gyda dolen lle gallwch ddilyn eich cwyn. Nodwch eich cyfeirnod rhag ofn na fydd yn cyrraedd: bydd {org} yn ateb i'r cyfeiriad e-bost a roesoch.",
    next_steps: "Beth sy'n digwydd nesaf: rydym yn cydnabod eich cwyn o fewn 30 diwrnod o'i chael, yn ymchwilio iddi, ac yn rhoi gwybod i chi am y canlyniad. Os nad ydych yn fodlon â'n hateb, gallwch gwyno i Swyddfa'r Comisiynydd Gwybodaeth (ICO).",
    ico_link: "Sut i gwyno i'r ICO",
    section_heading: "Cwyno am sut rydym yn defnyddio eich data",
    section_intro: "Os ydych yn anhapus â sut mae {org} yn defnyddio eich data personol, dywedwch wrthym yma. Rydym yn cydnabod pob cwyn o fewn 30 diwrnod ac yn ateb i {email}.",
    mail_subject: "Eich cwyn i {org}: cyfeirnod {reference}",
    mail_received: "Cafodd {org} eich cwyn am sut mae'n defnyddio eich data personol ar {date}. Eich cyfeirnod yw {reference}. Byddwn yn ymchwilio iddi ac yn rhoi gwybod i chi am y canlyniad; y neges hon yw ein cydnabyddiaeth.",
    mail_follow: "Gweld ble mae eich cwyn arni, a'n hateb pan fyddwn wedi'i roi:",
    mail_ico: "Os nad ydych yn fodlon â'n hateb, gallwch gwyno i Swyddfa'r Comisiynydd Gwybodaeth (ICO):",
    status_title: "Eich cwyn",
    status_intro: "Eich cwyn i {org} am sut mae'n defnyddio eich data personol.",
    reference: "Cyfeirnod",
    received_on: "Daeth i law",
    status: "Statws",
    acknowledged_on: "Cydnabuwyd",
    closed_on: "Atebwyd",
    reply: "Ein hateb",
    not_yet: "Ddim eto",
    status_received: "Daeth i law: heb ei chydnabod eto",
    status_acknowledged: "Cydnabuwyd: rydym yn ymchwilio iddi",
    status_closed: "Atebwyd",
    link_broken_title: "Nid yw'r ddolen hon yn gweithio",
    link_broken: "Defnyddiwch y ddolen yn yr e-bost diweddaraf am eich cwyn, neu cysylltwch â'r sefydliad y gwnaethoch gwyno iddo.",
};
