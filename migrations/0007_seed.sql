-- 0007_seed.sql: the rows every Koji database starts with.
--
-- Same rows, in the same order, as Koji's schema.sql, so the serial ids match
-- a stock Koji database (permissions, channels, btypes and archive types are
-- referred to by id in data and by some clients).
-- Not seeded here: users. The bootstrap admin (KOJI_ADMIN_PASSWORD) is created
-- by the hub on first start.

-- Permissions. Code also checks permissions that are not seeded (regen-repo,
-- livemedia, runroot, sidetag_admin); they are made on demand with
-- grantPermission(..., create=True).
INSERT INTO permissions (name, description) VALUES
    ('admin', 'Full administrator access. Perform all actions.'),
    ('appliance', 'Create appliance builds - deprecated.'),
    ('dist-repo', 'Create a dist-repo.'),
    ('host', 'Add, remove, enable, disable hosts and channels.'),
    ('image', 'Start image tasks.'),
    ('image-import', 'Import image archives.'),
    ('livecd', 'Start livecd tasks.'),
    ('maven-import', 'Import maven archives.'),
    ('repo', 'Manage repos: newRepo, repoExpire, repoDelete, repoProblem.'),
    ('sign', 'Import RPM signatures and write signed RPMs.'),
    ('tag', 'Manage packages in tags: add, block, remove, and clone tags.'),
    ('target', 'Add, edit, and remove targets.'),
    ('win-admin', 'The default hub policy rule for "vm" requires this permission to trigger Windows builds.'),
    ('win-import', 'Import win archives.'),
    ('draft-promoter', 'The permission required in the default "draft_promotion" hub policy rule to promote draft build.');

-- Channels ('default' is where tasks go unless policy says otherwise; every new
-- host joins it).
INSERT INTO channels (name) VALUES
    ('default'),
    ('createrepo'),
    ('maven'),
    ('livecd'),
    ('appliance'),
    ('vm'),
    ('image'),
    ('livemedia');

-- Volume 0 is the topdir itself. An explicit id does not advance the serial,
-- so the next volume gets id 1, as in Koji.
INSERT INTO volume (id, name) VALUES (0, 'DEFAULT');

-- Fake external repo 0 for RPMs that live in koji (part of rpminfo's NVRA key).
INSERT INTO external_repo (id, name) VALUES (0, 'INTERNAL');

-- Legacy build types.
INSERT INTO btype (name) VALUES
    ('rpm'),
    ('maven'),
    ('win'),
    ('image');

-- Named locks for db_lock().
INSERT INTO locks (name) VALUES
    ('protonmsg-plugin'),
    ('scheduler'),
    ('repo-queue');

-- Archive types (Koji's list up to schema 1.37). compression_type says how to
-- list an archive's contents ('zip', 'tar', or NULL = not listable).
INSERT INTO archivetypes (name, description, extensions, compression_type) VALUES
    ('jar', 'Jar file', 'jar war rar ear sar jdocbook jdocbook-style', 'zip'),
    ('zip', 'Zip file', 'zip', 'zip'),
    ('pom', 'Maven Project Object Management file', 'pom', NULL),
    ('tar', 'Tar file', 'tar tar.gz tar.bz2 tar.xz tgz', 'tar'),
    ('xml', 'XML file', 'xml', NULL),
    ('xmlcompressed', 'Compressed XML file', 'xml.gz xml.bz2 xml.xz', NULL),
    ('xsd', 'XML Schema Definition', 'xsd', NULL),
    ('spec', 'RPM spec file', 'spec', NULL),
    ('exe', 'Windows executable', 'exe', NULL),
    ('dll', 'Windows dynamic link library', 'dll', NULL),
    ('lib', 'Windows import library', 'lib', NULL),
    ('sys', 'Windows device driver', 'sys', NULL),
    ('inf', 'Windows driver information file', 'inf', NULL),
    ('cat', 'Windows catalog file', 'cat', NULL),
    ('msi', 'Windows Installer package', 'msi', NULL),
    ('pdb', 'Windows debug information', 'pdb', NULL),
    ('oem', 'Windows driver oem file', 'oem', NULL),
    ('iso', 'CD/DVD Image', 'iso', NULL),
    ('raw', 'Raw disk image', 'raw', NULL),
    ('qcow', 'QCOW image', 'qcow', NULL),
    ('qcow2', 'QCOW2 image', 'qcow2', NULL),
    ('vmdk', 'vSphere image', 'vmdk', NULL),
    ('ova', 'Open Virtualization Archive', 'ova', NULL),
    ('ks', 'Kickstart', 'ks', NULL),
    ('cfg', 'Configuration file', 'cfg', NULL),
    ('vdi', 'VirtualBox Virtual Disk Image', 'vdi', NULL),
    ('aar', 'Binary distribution of an Android Library project', 'aar', NULL),
    ('apklib', 'Source distribution of an Android Library project', 'apklib', NULL),
    ('cab', 'Windows cabinet file', 'cab', NULL),
    ('dylib', 'OS X dynamic library', 'dylib', NULL),
    ('gem', 'Ruby gem', 'gem', NULL),
    ('ini', 'INI config file', 'ini', NULL),
    ('js', 'Javascript file', 'js', NULL),
    ('ldif', 'LDAP Data Interchange Format file', 'ldif', NULL),
    ('manifest', 'Runtime environment for .NET applications', 'manifest', NULL),
    ('msm', 'Windows merge module', 'msm', NULL),
    ('properties', 'Properties file', 'properties', NULL),
    ('sig', 'Signature file', 'sig signature', NULL),
    ('so', 'Shared library', 'so', NULL),
    ('txt', 'Text file', 'txt', NULL),
    ('vhd', 'Hyper-V image', 'vhd', NULL),
    ('vhdx', 'Hyper-V Virtual Hard Disk v2 image', 'vhdx', NULL),
    ('wsf', 'Windows script file', 'wsf', NULL),
    ('box', 'Vagrant Box Image', 'box', NULL),
    ('raw-xz', 'xz compressed raw disk image', 'raw.xz', NULL),
    ('json', 'JSON data', 'json', NULL),
    ('key', 'Key file', 'key', NULL),
    ('dot', 'DOT graph description', 'dot gv', NULL),
    ('groovy', 'Groovy script file', 'groovy gvy', NULL),
    ('batch', 'Batch file', 'bat', NULL),
    ('shell', 'Shell script', 'sh', NULL),
    ('rc', 'Resource file', 'rc', NULL),
    ('wsdl', 'Web Services Description Language', 'wsdl', NULL),
    ('obr', 'OSGi Bundle Repository', 'obr', NULL),
    ('liveimg-squashfs', 'liveimg compatible squashfs image', 'liveimg.squashfs', NULL),
    ('tlb', 'OLE type library file', 'tlb', NULL),
    ('jnilib', 'Java Native Interface library', 'jnilib', NULL),
    ('yaml', 'YAML Ain''t Markup Language', 'yaml yml', NULL),
    ('xjb', 'JAXB(Java Architecture for XML Binding) Binding Customization File', 'xjb', NULL),
    ('raw-gz', 'GZIP compressed raw disk image', 'raw.gz', NULL),
    ('qcow2-compressed', 'Compressed QCOW2 image', 'qcow2.gz qcow2.xz', NULL),
    ('iso-compressed', 'Compressed iso image', 'iso.gz iso.xz', NULL),
    ('vhd-compressed', 'Compressed VHD image', 'vhd.gz vhd.xz', NULL),
    ('vhdx-compressed', 'Compressed VHDx image', 'vhdx.gz vhdx.xz', NULL),
    ('vmdk-compressed', 'Compressed VMDK image', 'vmdk.gz vmdk.xz', NULL),
    ('kernel-image', 'Kernel BZ2 Image', 'vmlinuz vmlinuz.gz vmlinuz.xz', NULL),
    ('initramfs', 'Compressed Initramfs Image', 'img', NULL),
    ('checksum', 'Checksum file', 'sha256', NULL),
    ('changes', 'Kiwi changes file', 'changes.xz changes', NULL),
    ('packages', 'Kiwi packages listing', 'packages', NULL),
    ('verified', 'Kiwi verified package list', 'verified', NULL),
    ('erofs', 'erofs image', 'erofs', NULL),
    ('erofs-compressed', 'Compressed erofs image', 'erofs.gz erofs.xz', NULL),
    ('squashfs', 'SquashFS image', 'squashfs', NULL),
    ('squashfs-compressed', 'Compressed SquashFS image', 'squashfs.gz squashfs.xz', NULL),
    ('wsl', 'Compressed tarball for Windows Subsystem for Linux', 'wsl', NULL);
