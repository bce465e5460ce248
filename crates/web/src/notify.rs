//! E-mail notifications that say only that there is something to look at, with a link:
//! never a name, a case or any content. Off unless an SMTP relay is configured
//! (`serve --smtp-relay HOST:PORT --smtp-from ADDRESS --public-url URL`). The relay is
//! expected on the local network (e.g. the municipality's relay, which does TLS onwards);
//! this client speaks plain SMTP to it. Sending never delays or fails a request: it runs in
//! the background and a failure is logged without addresses or content.

use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Where and as whom to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpConfig {
    /// `host:port` of the relay.
    pub relay: String,
    pub from: String,
    /// The address users reach Infohus on, for the link (e.g. `https://infohus.kk.dk`).
    pub public_url: String,
}

/// One notice: a subject and a body with a link. Built from the catalogue; the caller
/// passes no content of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub subject: String,
    pub body: String,
}

const TIMEOUT: Duration = Duration::from_secs(20);

/// Sends the notice to each recipient in the background (one message, recipients in the
/// envelope only, so nobody sees the others' addresses).
pub fn send_in_background(config: SmtpConfig, recipients: Vec<String>, notice: Notice, message_id: String) {
    if recipients.is_empty() {
        return;
    }
    tokio::spawn(async move {
        let count = recipients.len();
        match tokio::time::timeout(TIMEOUT, send(&config, &recipients, &notice, &message_id)).await {
            Ok(Ok(())) => tracing::info!(recipients = count, "notification sent"),
            Ok(Err(error)) => tracing::warn!(error = %error, "notification not sent"),
            Err(_) => tracing::warn!("notification not sent: the relay did not answer in time"),
        }
    });
}

#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("relay unreachable: {0}")]
    Io(#[from] std::io::Error),
    #[error("relay refused at {stage} with code {code}")]
    Refused { stage: &'static str, code: u16 },
    #[error("relay answered something that is not SMTP")]
    Protocol,
}

/// Reads one (possibly multi-line) reply and returns its code.
async fn reply(reader: &mut BufReader<TcpStream>) -> Result<u16, SmtpError> {
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await? == 0 {
            return Err(SmtpError::Protocol);
        }
        let code = line.get(..3).and_then(|c| c.parse::<u16>().ok()).ok_or(SmtpError::Protocol)?;
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(code);
        }
    }
}

async fn command(reader: &mut BufReader<TcpStream>, line: &str, stage: &'static str, ok: u16) -> Result<(), SmtpError> {
    reader.get_mut().write_all(line.as_bytes()).await?;
    reader.get_mut().write_all(b"\r\n").await?;
    let code = reply(reader).await?;
    if code != ok && !(ok == 250 && code == 251) {
        return Err(SmtpError::Refused { stage, code });
    }
    Ok(())
}

pub async fn send(
    config: &SmtpConfig,
    recipients: &[String],
    notice: &Notice,
    message_id: &str,
) -> Result<(), SmtpError> {
    let stream = TcpStream::connect(&config.relay).await?;
    let mut reader = BufReader::new(stream);
    if reply(&mut reader).await? != 220 {
        return Err(SmtpError::Refused { stage: "greeting", code: 0 });
    }
    command(&mut reader, "EHLO infohus", "EHLO", 250).await?;
    command(&mut reader, &format!("MAIL FROM:<{}>", config.from), "MAIL FROM", 250).await?;
    for to in recipients {
        command(&mut reader, &format!("RCPT TO:<{to}>"), "RCPT TO", 250).await?;
    }
    command(&mut reader, "DATA", "DATA", 354).await?;
    let message = message(config, notice, message_id);
    reader.get_mut().write_all(message.as_bytes()).await?;
    command(&mut reader, ".", "end of data", 250).await?;
    let _ = command(&mut reader, "QUIT", "QUIT", 221).await;
    Ok(())
}

/// The message: 7-bit clean (the subject as an RFC 2047 word, the body base64), lines
/// of at most 76 characters, the recipients only in the envelope.
pub fn message(config: &SmtpConfig, notice: &Notice, message_id: &str) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD;
    let body = b64.encode(notice.body.replace('\n', "\r\n").as_bytes());
    let mut lines = Vec::new();
    lines.push(format!("From: Infohus <{}>", config.from));
    lines.push("To: undisclosed-recipients:;".to_owned());
    lines.push(format!("Subject: =?UTF-8?B?{}?=", b64.encode(notice.subject.as_bytes())));
    lines.push(format!("Message-ID: <{message_id}@infohus>"));
    lines.push("MIME-Version: 1.0".to_owned());
    lines.push("Content-Type: text/plain; charset=utf-8".to_owned());
    lines.push("Content-Transfer-Encoding: base64".to_owned());
    lines.push(String::new());
    let bytes = body.as_bytes();
    for chunk in bytes.chunks(76) {
        lines.push(String::from_utf8_lossy(chunk).into_owned());
    }
    let mut text = lines.join("\r\n");
    text.push_str("\r\n");
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_is_seven_bit_with_short_lines_and_no_recipients_in_the_headers() {
        let config = SmtpConfig { relay: "x".into(), from: "infohus@kk.dk".into(), public_url: "https://x".into() };
        let notice = Notice {
            subject: "Dagsorden offentliggjort – møde".into(),
            body: "Der er nyt at se.\nhttps://x/moeder/1".into(),
        };
        let text = message(&config, &notice, "abc");
        assert!(text.is_ascii());
        assert!(text.split("\r\n").all(|l| l.len() <= 78));
        assert!(!text.contains("kk.dk>\r\nTo: <"));
        assert!(text.contains("To: undisclosed-recipients:;"));
    }
}
