//! Canvas SIS CSV zips for provisioning: the candidates of one bench course, and a whole school's roster for the
//! import scenario.

use std::io::Write;

use zip::{ZipWriter, write::SimpleFileOptions};

fn zip(files: &[(&str, String)]) -> anyhow::Result<Vec<u8>> {
    let mut out = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, body) in files {
        out.start_file(*name, SimpleFileOptions::default())?;
        out.write_all(body.as_bytes())?;
    }
    Ok(out.finish()?.into_inner())
}

/// `n` students (`bench-u<i>`) enrolled in the course `course_sis_id`.
pub fn candidates(course_sis_id: &str, n: usize) -> anyhow::Result<Vec<u8>> {
    let mut users = String::from("user_id,login_id,first_name,last_name,status\n");
    let mut enrollments = String::from("course_id,user_id,role,status\n");
    for i in 0..n {
        users.push_str(&format!("bench-u{i},bench-u{i}@bench.invalid,Candidate,{i},active\n"));
        enrollments.push_str(&format!("{course_sis_id},bench-u{i},student,active\n"));
    }
    zip(&[("users.csv", users), ("enrollments.csv", enrollments)])
}

/// A school: `users` people, `courses` courses with a section each, `per_course` enrollments per course (the
/// first a teacher), in one term.
pub fn school(users: usize, courses: usize, per_course: usize) -> anyhow::Result<Vec<u8>> {
    let terms =
        "term_id,name,status,start_date,end_date\nT1,Bench term,active,2026-09-01T00:00:00Z,2027-06-30T00:00:00Z\n";
    let mut people = String::from("user_id,login_id,first_name,last_name,email,status\n");
    for i in 0..users {
        people.push_str(&format!("u{i},user{i}@bench.invalid,Given{i},Family{i},user{i}@bench.invalid,active\n"));
    }
    let mut course_rows = String::from("course_id,short_name,long_name,account_id,term_id,status\n");
    let mut sections = String::from("section_id,course_id,name,status\n");
    let mut enrollments = String::from("course_id,user_id,role,section_id,status\n");
    for c in 0..courses {
        course_rows.push_str(&format!("c{c},C{c},Course {c},,T1,active\n"));
        sections.push_str(&format!("s{c},c{c},Section {c},active\n"));
        for k in 0..per_course {
            let u = (c * per_course + k) % users.max(1);
            let role = if k == 0 { "teacher" } else { "student" };
            enrollments.push_str(&format!("c{c},u{u},{role},s{c},active\n"));
        }
    }
    zip(&[
        ("terms.csv", terms.to_owned()),
        ("users.csv", people),
        ("courses.csv", course_rows),
        ("sections.csv", sections),
        ("enrollments.csv", enrollments),
    ])
}
