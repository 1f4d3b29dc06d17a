//! A state directory as one file and back: a tar archive (regular files, directories and
//! symbolic links, with their modes and times) compressed with zstd. Blocking code: run it
//! on a blocking thread.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// What a packed archive holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Packed {
    /// Regular files.
    pub files: u64,
    /// Their bytes, before compression.
    pub bytes: u64,
}

/// Packs `dir` into the new file `out`. `replace` maps paths relative to `dir` to the file
/// stored in their place (a consistent copy of a live SQLite file); `skip` lists relative
/// paths left out (its `-wal`, `-shm` and `-journal` files). Sockets, FIFOs and devices are
/// left out too.
///
/// # Errors
/// A file that cannot be read, or the write.
pub fn pack(
    dir: &Path,
    out: &Path,
    replace: &BTreeMap<PathBuf, PathBuf>,
    skip: &[PathBuf],
) -> io::Result<Packed> {
    let file = File::create_new(out)?;
    let mut enc = zstd::Encoder::new(BufWriter::with_capacity(1 << 20, file), 3)?;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let _ = enc.multithread(u32::try_from(threads).unwrap_or(1));
    let mut tar = tar::Builder::new(enc);
    tar.follow_symlinks(false);
    let mut packed = Packed::default();
    walk(dir, Path::new(""), &mut tar, replace, skip, &mut packed)?;
    let enc = tar.into_inner()?;
    let mut w = enc.finish()?;
    w.flush()?;
    w.into_inner()
        .map_err(io::IntoInnerError::into_error)?
        .sync_all()?;
    Ok(packed)
}

fn walk<W: Write>(
    root: &Path,
    rel: &Path,
    tar: &mut tar::Builder<W>,
    replace: &BTreeMap<PathBuf, PathBuf>,
    skip: &[PathBuf],
    packed: &mut Packed,
) -> io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(root.join(rel))?.collect::<Result<_, _>>()?;
    entries.sort_by_key(std::fs::DirEntry::file_name);
    for e in entries {
        let name = rel.join(e.file_name());
        if skip.contains(&name) {
            continue;
        }
        let ft = e.file_type()?;
        let full = e.path();
        if ft.is_dir() {
            tar.append_dir(&name, &full)?;
            walk(root, &name, tar, replace, skip, packed)?;
        } else if ft.is_symlink() {
            tar.append_path_with_name(&full, &name)?;
        } else if ft.is_file() {
            let src = replace.get(&name).unwrap_or(&full);
            let len = std::fs::metadata(src)?.len();
            let mut f = File::open(src)?;
            let mut header = tar::Header::new_gnu();
            header.set_metadata(&std::fs::metadata(&full)?);
            header.set_size(len);
            tar.append_data(&mut header, &name, &mut f)?;
            packed.files += 1;
            packed.bytes += len;
        } else {
            tracing::warn!(path = %full.display(), "not a file, directory or link: left out of the checkpoint");
        }
    }
    Ok(())
}

/// Unpacks the archive `file` into the new directory `into` (made with mode 0700; entries
/// keep their modes). Paths leaving the directory are refused by the tar reader.
///
/// # Errors
/// A damaged archive, or the writes.
pub fn unpack(file: &Path, into: &Path) -> io::Result<Packed> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new().mode(0o700).create(into)?;
    let dec = zstd::Decoder::new(File::open(file)?)?;
    let mut ar = tar::Archive::new(dec);
    ar.set_preserve_permissions(true);
    ar.set_preserve_mtime(true);
    ar.set_overwrite(false);
    let mut packed = Packed::default();
    for entry in ar.entries()? {
        let mut entry = entry?;
        if entry.header().entry_type().is_file() {
            packed.files += 1;
            packed.bytes += entry.header().size()?;
        }
        if !entry.unpack_in(into)? {
            return Err(io::Error::other(format!(
                "the archive holds a path outside its directory: {}",
                entry.path()?.display()
            )));
        }
    }
    sync_tree(into)?;
    Ok(packed)
}

/// fsync of every file and directory under `dir` (so a rename of `dir` publishes durable data).
fn sync_tree(dir: &Path) -> io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let ft = e.file_type()?;
        if ft.is_dir() {
            sync_tree(&e.path())?;
        } else if ft.is_file() {
            File::open(e.path())?.sync_all()?;
        }
    }
    File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tree_packs_and_unpacks_with_links_modes_and_replacements() {
        use std::os::unix::fs::PermissionsExt as _;
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        std::fs::create_dir_all(src.join("sub/deeper")).unwrap();
        std::fs::write(src.join("a.txt"), b"alpha").unwrap();
        std::fs::write(src.join("sub/deeper/b.bin"), vec![7u8; 100_000]).unwrap();
        std::fs::write(src.join("live.db"), b"torn").unwrap();
        std::fs::write(src.join("live.db-wal"), b"wal").unwrap();
        std::fs::set_permissions(src.join("a.txt"), std::fs::Permissions::from_mode(0o640))
            .unwrap();
        std::os::unix::fs::symlink("a.txt", src.join("link")).unwrap();
        let copy = t.path().join("consistent");
        std::fs::write(&copy, b"consistent copy").unwrap();
        let replace = BTreeMap::from([(PathBuf::from("live.db"), copy)]);
        let out = t.path().join("a.tar.zst");
        let p = pack(&src, &out, &replace, &[PathBuf::from("live.db-wal")]).unwrap();
        assert_eq!(p.files, 3);
        let dst = t.path().join("dst");
        let u = unpack(&out, &dst).unwrap();
        assert_eq!(u, p);
        assert_eq!(std::fs::read(dst.join("a.txt")).unwrap(), b"alpha");
        assert_eq!(
            std::fs::read(dst.join("live.db")).unwrap(),
            b"consistent copy"
        );
        assert!(!dst.join("live.db-wal").exists());
        assert_eq!(
            std::fs::read(dst.join("sub/deeper/b.bin")).unwrap().len(),
            100_000
        );
        assert_eq!(
            std::fs::read_link(dst.join("link")).unwrap(),
            Path::new("a.txt")
        );
        let mode = std::fs::metadata(dst.join("a.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
        // A damaged archive fails to unpack.
        let mut bytes = std::fs::read(&out).unwrap();
        let mid = bytes.len() / 2;
        bytes.truncate(mid);
        std::fs::write(&out, bytes).unwrap();
        assert!(unpack(&out, &t.path().join("dst2")).is_err());
    }
}
