//! Who may do what. This is the one place permission decisions are made: handlers describe the action and its
//! target, and ask `allows`. Which roles grant which permissions is data (the tables below), not code paths.
//!
//! Isolation between schools is not decided here: the store never returns another school's rows to a
//! principal, so a target passed to this module is always in the caller's school.

use crate::account::AccountPath;

/// An action on a target. The wire names are Canvas's where Canvas has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Read an account's settings and its sub-account tree.
    ViewAccount,
    /// Change an account's settings, create sub-accounts.
    ManageAccount,
    /// List users and read their profiles (including logins).
    ViewUsers,
    /// Create users and change their profiles and logins.
    ManageUsers,
    /// See SIS and integration ids of accounts and users.
    ReadSis,
    /// Set SIS and integration ids.
    ManageSis,
    /// Read the school's event feed (root-account administrators).
    ViewEvents,
    /// Create and revoke credentials for others: developer keys, API keys, users' API keys, partners, tokens.
    ManageCredentials,
    /// Create, see and revoke a user's personal access tokens (users hold it for themselves).
    ManageTokens,
    /// Read a course and its settings.
    ViewCourse,
    /// Change a course, its sections and its content.
    ManageCourse,
    /// List a course's people and enrollments.
    ViewRoster,
    /// Enroll and unenroll people.
    ManageEnrollments,
    /// Create, change and delete a course's group sets and groups, and place people in groups.
    ManageGroups,
    /// See everyone's submissions and grades in a course.
    ViewAllGrades,
    /// Grade and comment on submissions.
    ManageGrades,
    /// Submit work as a candidate.
    Submit,
    /// Create, list and revoke the school's AB Connect partner credentials. Checked on the school's root account,
    /// so only root-account administrators hold it: a partner key reads every school-wide standard and asset.
    ManagePartners,
}

impl Permission {
    pub const ALL: &'static [Permission] = &[
        Permission::ViewAccount,
        Permission::ManageAccount,
        Permission::ViewUsers,
        Permission::ManageUsers,
        Permission::ReadSis,
        Permission::ManageSis,
        Permission::ViewEvents,
        Permission::ManageCredentials,
        Permission::ManageTokens,
        Permission::ViewCourse,
        Permission::ManageCourse,
        Permission::ViewRoster,
        Permission::ManageEnrollments,
        Permission::ManageGroups,
        Permission::ViewAllGrades,
        Permission::ManageGrades,
        Permission::Submit,
        Permission::ManagePartners,
    ];

    /// The permissions that mean something in a course (the course's `permissions` include lists these).
    pub const COURSE: &'static [Permission] = &[
        Permission::ViewCourse,
        Permission::ManageCourse,
        Permission::ViewRoster,
        Permission::ManageEnrollments,
        Permission::ViewAllGrades,
        Permission::ManageGrades,
        Permission::Submit,
        Permission::ReadSis,
        Permission::ManageSis,
    ];

    /// The name used by `GET /accounts/:id/permissions` and in logs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Permission::ViewAccount => "read_account",
            Permission::ManageAccount => "manage_account_settings",
            Permission::ViewUsers => "read_roster_users",
            Permission::ManageUsers => "manage_user_logins",
            Permission::ReadSis => "read_sis",
            Permission::ManageSis => "manage_sis",
            Permission::ViewEvents => "view_events",
            Permission::ManageCredentials => "manage_developer_keys",
            Permission::ManageTokens => "manage_access_tokens",
            Permission::ViewCourse => "read_course_content",
            Permission::ManageCourse => "manage_content",
            Permission::ViewRoster => "read_roster",
            Permission::ManageEnrollments => "manage_students",
            Permission::ManageGroups => "manage_groups",
            Permission::ViewAllGrades => "view_all_grades",
            Permission::ManageGrades => "manage_grades",
            Permission::Submit => "participate_as_student",
            Permission::ManagePartners => "manage_partners",
        }
    }

    pub fn parse(name: &str) -> Option<Permission> {
        Permission::ALL.iter().copied().find(|p| p.as_str() == name)
    }

    /// Whether it only reads: what a concluded enrollment (or a concluded course) still allows.
    pub const fn is_read_only(self) -> bool {
        matches!(
            self,
            Permission::ViewAccount
                | Permission::ViewUsers
                | Permission::ReadSis
                | Permission::ViewCourse
                | Permission::ViewRoster
                | Permission::ViewAllGrades
        )
    }
}

/// A role held on an account, inherited by every account (and course) below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountRole {
    AccountAdmin,
    /// What an account-bound API key holds (Momotor: "full access ... similar to the reviewer access"): read
    /// everything in the account and grade, change nothing else.
    Reviewer,
}

const REVIEWER: &[Permission] = &[
    Permission::ViewAccount,
    Permission::ViewUsers,
    Permission::ReadSis,
    Permission::ViewCourse,
    Permission::ViewRoster,
    Permission::ViewAllGrades,
    Permission::ManageGrades,
];

impl AccountRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            AccountRole::AccountAdmin => "AccountAdmin",
            AccountRole::Reviewer => "Reviewer",
        }
    }

    pub fn parse(s: &str) -> Option<AccountRole> {
        match s {
            "AccountAdmin" => Some(AccountRole::AccountAdmin),
            "Reviewer" => Some(AccountRole::Reviewer),
            _ => None,
        }
    }

    /// What the role grants on its account and everything below it.
    pub fn grants(self) -> &'static [Permission] {
        match self {
            AccountRole::AccountAdmin => Permission::ALL,
            AccountRole::Reviewer => REVIEWER,
        }
    }
}

/// A role in a course (Canvas enrollment types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourseRole {
    Teacher,
    Ta,
    Designer,
    Student,
    Observer,
    /// A course-bound API key.
    Reviewer,
}

impl CourseRole {
    /// Canvas's enrollment type name.
    pub const fn enrollment_type(self) -> &'static str {
        match self {
            CourseRole::Teacher => "TeacherEnrollment",
            CourseRole::Ta => "TaEnrollment",
            CourseRole::Designer => "DesignerEnrollment",
            CourseRole::Student => "StudentEnrollment",
            CourseRole::Observer => "ObserverEnrollment",
            CourseRole::Reviewer => "ReviewerEnrollment",
        }
    }

    /// Canvas's id of the built-in role (`role_id` on enrollments); custom roles are not supported.
    pub const fn base_role_id(self) -> i64 {
        match self {
            CourseRole::Student => 3,
            CourseRole::Teacher => 4,
            CourseRole::Ta => 5,
            CourseRole::Designer => 6,
            CourseRole::Observer => 7,
            CourseRole::Reviewer => 8,
        }
    }

    /// The role with a Canvas `role_id`.
    pub fn from_base_role_id(id: i64) -> Option<CourseRole> {
        CourseRole::ENROLLABLE.into_iter().find(|r| r.base_role_id() == id)
    }

    /// The roles an enrollment can carry (every role but the API key's).
    pub const ENROLLABLE: [CourseRole; 5] =
        [CourseRole::Student, CourseRole::Teacher, CourseRole::Ta, CourseRole::Designer, CourseRole::Observer];

    pub fn from_enrollment_type(s: &str) -> Option<CourseRole> {
        CourseRole::ENROLLABLE.into_iter().find(|r| r.enrollment_type() == s)
    }

    /// Canvas's short name (the `type` of a course's `enrollments`; `enrollment::parse_short_type` reads it).
    pub const fn short_name(self) -> &'static str {
        match self {
            CourseRole::Teacher => "teacher",
            CourseRole::Ta => "ta",
            CourseRole::Designer => "designer",
            CourseRole::Student => "student",
            CourseRole::Observer => "observer",
            CourseRole::Reviewer => "reviewer",
        }
    }

    /// Students and observers see a course only once it is published (Canvas's default `state[]` of
    /// `GET /courses`).
    pub const fn sees_unpublished(self) -> bool {
        !matches!(self, CourseRole::Student | CourseRole::Observer)
    }

    pub fn grants(self) -> &'static [Permission] {
        match self {
            CourseRole::Teacher => &[
                Permission::ViewCourse,
                Permission::ManageCourse,
                Permission::ViewRoster,
                Permission::ManageEnrollments,
                Permission::ManageGroups,
                Permission::ViewAllGrades,
                Permission::ManageGrades,
                Permission::ReadSis,
            ],
            CourseRole::Ta => &[
                Permission::ViewCourse,
                Permission::ViewRoster,
                Permission::ManageGroups,
                Permission::ViewAllGrades,
                Permission::ManageGrades,
            ],
            CourseRole::Designer => {
                &[Permission::ViewCourse, Permission::ManageCourse, Permission::ViewRoster, Permission::ManageGroups]
            }
            CourseRole::Student => &[Permission::ViewCourse, Permission::ViewRoster, Permission::Submit],
            CourseRole::Observer => &[Permission::ViewCourse],
            CourseRole::Reviewer => REVIEWER,
        }
    }
}

/// A contributor's role on one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuizRole {
    /// May change the test, its questions and groups.
    Edit,
    /// May grade the test's attempts.
    Grade,
}

impl QuizRole {
    pub const fn as_str(self) -> &'static str {
        match self {
            QuizRole::Edit => "edit",
            QuizRole::Grade => "grade",
        }
    }

    pub fn parse(s: &str) -> Option<QuizRole> {
        match s {
            "edit" => Some(QuizRole::Edit),
            "grade" => Some(QuizRole::Grade),
            _ => None,
        }
    }

    /// What the role grants on its test.
    pub const fn grants(self) -> &'static [Permission] {
        match self {
            QuizRole::Edit => &[Permission::ViewCourse, Permission::ManageCourse],
            QuizRole::Grade => &[Permission::ViewCourse, Permission::ViewAllGrades, Permission::ManageGrades],
        }
    }
}

/// What every signed-in user may do to their own user record.
const SELF_PERMISSIONS: &[Permission] = &[Permission::ViewUsers, Permission::ManageUsers, Permission::ManageTokens];

/// A role held in one course (from an enrollment, or a course-bound API key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseGrant {
    pub course_id: i64,
    pub role: CourseRole,
    /// `Some(section)` when the enrollment's privileges are limited to its section
    /// (`limit_privileges_to_course_section`): its rights then reach that section's people only.
    pub section_id: Option<i64>,
    /// A concluded enrollment, or one in a concluded course: it still reads, but changes nothing.
    pub read_only: bool,
}

impl CourseGrant {
    pub fn new(course_id: i64, role: CourseRole) -> CourseGrant {
        CourseGrant { course_id, role, section_id: None, read_only: false }
    }

    fn grants(&self, permission: Permission) -> bool {
        self.role.grants().contains(&permission) && (!self.read_only || permission.is_read_only())
    }
}

/// The roles a principal holds, loaded once per request.
#[derive(Debug, Clone, Default)]
pub struct Grants {
    /// The user behind the request; `None` for API keys and partners.
    pub user_id: Option<i64>,
    pub account_roles: Vec<(AccountPath, AccountRole)>,
    pub course_roles: Vec<CourseGrant>,
}

/// The object an action is aimed at.
#[derive(Debug, Clone, Copy)]
pub enum Target<'a> {
    Account(&'a AccountPath),
    /// A user, with the account the user belongs to.
    User {
        user_id: i64,
        account: &'a AccountPath,
    },
    /// A course, with the account it belongs to.
    Course {
        course_id: i64,
        account: &'a AccountPath,
    },
    /// One test (quiz) of a course, with the caller's contributor role on it (Inspera contributors): an `edit`
    /// contributor may change that test, a `grade` contributor may grade it, without those rights in the course.
    Quiz {
        course_id: i64,
        account: &'a AccountPath,
        contributor: Option<QuizRole>,
    },
    /// One section of a course: what section-limited enrollments reach.
    Section {
        course_id: i64,
        section_id: i64,
        account: &'a AccountPath,
    },
}

/// Decides whether `grants` allow `permission` on `target`.
pub fn allows(grants: &Grants, permission: Permission, target: Target<'_>) -> bool {
    let account = match target {
        Target::Account(path) => path,
        Target::User { user_id, account } => {
            if Some(user_id) == grants.user_id && SELF_PERMISSIONS.contains(&permission) {
                return true;
            }
            account
        }
        Target::Course { course_id, account } => {
            if grants.course_roles.iter().any(|g| g.course_id == course_id && g.grants(permission)) {
                return true;
            }
            account
        }
        Target::Quiz { course_id, account, contributor } => {
            if contributor.is_some_and(|role| role.grants().contains(&permission)) {
                return true;
            }
            return allows(grants, permission, Target::Course { course_id, account });
        }
        Target::Section { course_id, section_id, account } => {
            let reaches = |g: &CourseGrant| g.section_id.is_none_or(|limited_to| limited_to == section_id);
            if grants.course_roles.iter().any(|g| g.course_id == course_id && reaches(g) && g.grants(permission)) {
                return true;
            }
            account
        }
    };
    allowed_by_account(grants, permission, account)
}

fn allowed_by_account(grants: &Grants, permission: Permission, account: &AccountPath) -> bool {
    grants.account_roles.iter().any(|(held_on, role)| account.is_within(held_on) && role.grants().contains(&permission))
}

/// The sections of a course whose people `permission` reaches: `None` for all of them, `Some(sections)` when the
/// caller's only grants in the course are limited to those sections (lists are then filtered to them).
pub fn reachable_sections(
    grants: &Grants,
    permission: Permission,
    course_id: i64,
    account: &AccountPath,
) -> Option<Vec<i64>> {
    if allowed_by_account(grants, permission, account) {
        return None;
    }
    let held: Vec<&CourseGrant> =
        grants.course_roles.iter().filter(|g| g.course_id == course_id && g.grants(permission)).collect();
    if held.iter().any(|g| g.section_id.is_none()) {
        return None;
    }
    Some(held.iter().filter_map(|g| g.section_id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn admin_of(path: AccountPath) -> Grants {
        Grants { user_id: Some(1), account_roles: vec![(path, AccountRole::AccountAdmin)], course_roles: vec![] }
    }

    #[test]
    fn admin_rights_flow_down_not_up() {
        let root = AccountPath::root(1);
        let sub = root.child(2);
        let sub_admin = admin_of(sub.clone());
        assert!(allows(&sub_admin, Permission::ManageAccount, Target::Account(&sub)));
        assert!(allows(&sub_admin, Permission::ManageAccount, Target::Account(&sub.child(3))));
        assert!(!allows(&sub_admin, Permission::ManageAccount, Target::Account(&root)));
        assert!(!allows(&sub_admin, Permission::ViewEvents, Target::Account(&root)));
        assert!(allows(&admin_of(root.clone()), Permission::ViewEvents, Target::Account(&root)));
        assert!(allows(&sub_admin, Permission::ManageGrades, Target::Course { course_id: 9, account: &sub }));
        assert!(!allows(&sub_admin, Permission::ManagePartners, Target::Account(&root)));
        assert!(allows(&admin_of(root.clone()), Permission::ManagePartners, Target::Account(&root)));
    }

    #[test]
    fn quiz_contributors_act_on_their_quiz_only() {
        let root = AccountPath::root(1);
        let nobody = Grants { user_id: Some(5), ..Grants::default() };
        let quiz = |contributor| Target::Quiz { course_id: 9, account: &root, contributor };
        assert!(allows(&nobody, Permission::ManageCourse, quiz(Some(QuizRole::Edit))));
        assert!(!allows(&nobody, Permission::ManageGrades, quiz(Some(QuizRole::Edit))));
        assert!(allows(&nobody, Permission::ManageGrades, quiz(Some(QuizRole::Grade))));
        assert!(!allows(&nobody, Permission::ManageCourse, quiz(Some(QuizRole::Grade))));
        assert!(!allows(&nobody, Permission::ViewCourse, quiz(None)));
        assert!(!allows(&nobody, Permission::ManageCourse, Target::Course { course_id: 9, account: &root }));
        let teacher = Grants { course_roles: vec![CourseGrant::new(9, CourseRole::Teacher)], ..nobody.clone() };
        assert!(allows(&teacher, Permission::ManageCourse, quiz(None)));
    }

    #[test]
    fn users_may_see_and_edit_themselves_only() {
        let root = AccountPath::root(1);
        let plain = Grants { user_id: Some(7), ..Grants::default() };
        assert!(allows(&plain, Permission::ViewUsers, Target::User { user_id: 7, account: &root }));
        assert!(allows(&plain, Permission::ManageUsers, Target::User { user_id: 7, account: &root }));
        assert!(!allows(&plain, Permission::ViewUsers, Target::User { user_id: 8, account: &root }));
        assert!(!allows(&plain, Permission::ViewAccount, Target::Account(&root)));
        // A principal without a user (an API key) has no "self".
        let key = Grants::default();
        assert!(!allows(&key, Permission::ViewUsers, Target::User { user_id: 0, account: &root }));
    }

    #[test]
    fn reviewers_read_and_grade_but_do_not_manage() {
        let root = AccountPath::root(1);
        let reviewer =
            Grants { user_id: None, account_roles: vec![(root.clone(), AccountRole::Reviewer)], course_roles: vec![] };
        assert!(allows(&reviewer, Permission::ViewUsers, Target::Account(&root)));
        assert!(allows(&reviewer, Permission::ManageGrades, Target::Course { course_id: 3, account: &root }));
        for p in [
            Permission::ManageAccount,
            Permission::ManageUsers,
            Permission::ManageSis,
            Permission::ViewEvents,
            Permission::ManageCredentials,
        ] {
            assert!(!allows(&reviewer, p, Target::Account(&root)), "{p:?}");
        }
    }

    #[test]
    fn course_roles_act_only_in_their_course() {
        let root = AccountPath::root(1);
        let student = Grants {
            user_id: Some(5),
            account_roles: vec![],
            course_roles: vec![CourseGrant::new(3, CourseRole::Student)],
        };
        assert!(allows(&student, Permission::Submit, Target::Course { course_id: 3, account: &root }));
        assert!(!allows(&student, Permission::ManageGrades, Target::Course { course_id: 3, account: &root }));
        assert!(!allows(&student, Permission::Submit, Target::Course { course_id: 4, account: &root }));
        let teacher = Grants {
            user_id: Some(6),
            account_roles: vec![],
            course_roles: vec![CourseGrant::new(3, CourseRole::Teacher)],
        };
        assert!(allows(&teacher, Permission::ManageGrades, Target::Course { course_id: 3, account: &root }));
        assert!(!allows(&teacher, Permission::ViewAccount, Target::Account(&root)));
        for r in CourseRole::ENROLLABLE {
            assert_eq!(CourseRole::from_enrollment_type(r.enrollment_type()), Some(r));
            assert_eq!(crate::enrollment::parse_short_type(r.short_name()), Some(r));
            assert_eq!(CourseRole::from_base_role_id(r.base_role_id()), Some(r));
        }
    }

    #[test]
    fn concluded_roles_read_but_do_not_change() {
        let root = AccountPath::root(1);
        let concluded = Grants {
            user_id: Some(6),
            account_roles: vec![],
            course_roles: vec![CourseGrant { read_only: true, ..CourseGrant::new(3, CourseRole::Teacher) }],
        };
        let course = Target::Course { course_id: 3, account: &root };
        assert!(allows(&concluded, Permission::ViewRoster, course));
        assert!(allows(&concluded, Permission::ViewAllGrades, course));
        assert!(!allows(&concluded, Permission::ManageGrades, course));
        assert!(!allows(&concluded, Permission::ManageEnrollments, course));
    }

    #[test]
    fn section_limited_roles_reach_their_section_only() {
        let root = AccountPath::root(1);
        let ta = Grants {
            user_id: Some(6),
            account_roles: vec![],
            course_roles: vec![CourseGrant { section_id: Some(10), ..CourseGrant::new(3, CourseRole::Ta) }],
        };
        let section = |section_id| Target::Section { course_id: 3, section_id, account: &root };
        assert!(allows(&ta, Permission::ManageGrades, section(10)));
        assert!(!allows(&ta, Permission::ManageGrades, section(11)));
        assert!(allows(&ta, Permission::ViewCourse, Target::Course { course_id: 3, account: &root }));
        assert_eq!(reachable_sections(&ta, Permission::ViewRoster, 3, &root), Some(vec![10]));
        let teacher = Grants { course_roles: vec![CourseGrant::new(3, CourseRole::Teacher)], ..ta.clone() };
        assert_eq!(reachable_sections(&teacher, Permission::ViewRoster, 3, &root), None);
        assert!(allows(&teacher, Permission::ManageEnrollments, section(11)));
        assert_eq!(reachable_sections(&admin_of(root.clone()), Permission::ViewRoster, 3, &root), None);
        // No grant at all: an empty list, so a filtered list shows nothing.
        assert_eq!(reachable_sections(&Grants::default(), Permission::ViewRoster, 3, &root), Some(vec![]));
    }

    #[test]
    fn permission_names_round_trip_and_are_unique() {
        let mut names = std::collections::HashSet::new();
        for p in Permission::ALL {
            assert!(names.insert(p.as_str()));
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
        }
    }
}
