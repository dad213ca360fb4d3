-- Each service owns a database of its own (docker-compose.yml mounts this into PostgreSQL's first start).
CREATE DATABASE portfolio;
CREATE DATABASE executor;
CREATE DATABASE notifier;
