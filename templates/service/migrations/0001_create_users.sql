-- The users table, in <%= dbLabel %>'s dialect. Migrations are embedded in the
-- binary (listed in src/db.rs) and run at startup; add new files, never edit
-- applied ones (sqlx checks their checksums).
<% if (dbSqlite) { -%>
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    age INTEGER
);

CREATE INDEX users_age ON users (age);
<% } else if (dbPostgres) { -%>
CREATE TABLE users (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    age INTEGER
);

CREATE INDEX users_age ON users (age);
<% } else { -%>
CREATE TABLE users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    name VARCHAR(100) NOT NULL,
    email VARCHAR(254) NOT NULL UNIQUE,
    age INT NULL,
    INDEX users_age (age)
) DEFAULT CHARSET = utf8mb4;
<% } -%>
