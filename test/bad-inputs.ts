import { NodePackageManager } from 'projen/lib/javascript';
import { Project } from 'projen/lib/project';
import { AppComponent, GoApp, GoLibrary, JavaApp, NodeApp, NodeAppKind, PipApp, PoetryApp, PythonLibrary, RustApp, TypeScriptLibrary } from '../src';

/**
 * Bad inputs across the project types, one per row: the project type, what is
 * wrong, the options, and the error that must name the option, the value and
 * what is allowed. test/bad-input.test.ts runs each and checks that nothing
 * on disk changed.
 */
export type BadInput = [type: 'poetry-app' | 'pip-app' | 'go-app' | 'node-app' | 'rust-app' | 'java-app' | 'workspace', name: string, options: Record<string, any>, message: RegExp];

export const BAD_INPUTS: BadInput[] = [
  ['poetry-app', 'pythonVersion not a version', { pythonVersion: '3' }, /PoetryApp: invalid pythonVersion "3"\. Expected a supported Python version/],
  ['poetry-app', 'pythonVersion unsupported', { pythonVersion: '2.7' }, /invalid pythonVersion "2\.7".*3\.10, 3\.11/],
  ['poetry-app', 'requiresPython contradicts', { pythonVersion: '3.11', requiresPython: '>=3.12' }, /pythonVersion "3\.11" contradicts requiresPython ">=3\.12"/],
  ['poetry-app', 'requiresPython patch bound on a floating tag', { requiresPython: '>=3.13.4' }, /contradicts requiresPython ">=3\.13\.4" \(the tag "3\.13" can be any 3\.13\.x/],
  ['poetry-app', 'requiresPython not PEP 440', { requiresPython: 'python 3' }, /invalid requiresPython "python 3"\. Expected a PEP 440 specifier set/],
  ['poetry-app', 'requiresPython with a newline', { requiresPython: '>=3.11\n[x]' }, /invalid requiresPython/],
  ['poetry-app', 'scriptTarget without function', { scriptTarget: 'demo.app' }, /invalid scriptTarget "demo\.app"\. Expected "module:function"/],
  ['poetry-app', 'scriptTarget outside the package', { scriptTarget: 'other.app:main' }, /invalid scriptTarget "other\.app:main"\. The module must be the package "demo"/],
  ['poetry-app', 'scriptName with a space', { scriptName: 'my app' }, /invalid scriptName "my app"/],
  ['poetry-app', 'moduleName keyword', { moduleName: 'class' }, /invalid moduleName "class"/],
  ['poetry-app', 'project name', { name: 'bad name!' }, /PoetryApp: invalid name "bad name!"\. Expected a PEP 508 project name/],
  ['poetry-app', 'port out of range', { port: 70000 }, /invalid port 70000\. Expected an integer port from 1 to 65535/],
  ['poetry-app', 'port not an integer', { port: 80.5 }, /invalid port 80\.5/],
  ['poetry-app', 'poetryVersion range', { poetryVersion: '^2.1' }, /invalid poetryVersion "\^2\.1"\. Expected an exact Poetry release/],
  ['poetry-app', 'poetry 1 with PEP 621', { poetryVersion: '1.8.5' }, /poetryVersion "1\.8\.5" cannot read pyprojectLayout "pep621"/],
  ['poetry-app', 'musl runtime for a glibc builder', { runtimeImageVariant: 'alpine' }, /builderImageVariant "python:3\.13-slim" and runtimeImageVariant "python:3\.13-alpine" use different C libraries \(glibc and musl\)/],
  ['poetry-app', 'different Debian releases', { builderImageVariant: 'bookworm', runtimeImageVariant: 'slim-trixie' }, /different Debian releases \(bookworm and trixie\)/],
  ['poetry-app', 'unknown variant', { builderImageVariant: 'windowsservercore' }, /invalid builderImageVariant "windowsservercore"/],
  ['poetry-app', 'explicit image without a version tag', { builderImage: 'python:latest' }, /invalid builderImage "python:latest"\. Cannot tell its Python version/],
  ['poetry-app', 'pythonVersion contradicts builderImage', { pythonVersion: '3.12', builderImage: 'python:3.13-slim' }, /pythonVersion "3\.12" contradicts builderImage "python:3\.13-slim"/],
  ['poetry-app', 'runtime image of another Python', { runtimeImage: 'python:3.12-slim' }, /different Python versions \(3\.13 and 3\.12\)/],
  ['poetry-app', 'dependency name', { deps: ['not a name@1'] }, /invalid dependency name "not a name"/],
  ['poetry-app', 'dependency constraint', { deps: ['requests@>>2'] }, /invalid dependency version constraint of requests ">>2"/],
  ['poetry-app', 'dependency marker injection', { deps: ['requests@>=2; os_name=="nt"'] }, /invalid dependency version constraint of requests/],
  ['poetry-app', 'description newline', { description: 'one\ntwo' }, /invalid description "one\\ntwo"\. It must be a single line without control characters/],
  ['poetry-app', 'packageIndex not a URL', { packageIndex: 'not a url' }, /invalid packageIndex "not a url"\. Expected an http\(s\) URL/],
  ['poetry-app', 'packageIndex with credentials', { packageIndex: 'https://user:secret@pypi.example.com/simple/' }, /PoetryApp: invalid packageIndex "https:\/\/user:secret@pypi\.example\.com\/simple\/"\. Credentials \("user:password@"\) must not be written.*set packageIndexSecret/],
  ['poetry-app', 'authorEmail', { authorEmail: 'nobody' }, /invalid authorEmail "nobody"/],
  ['poetry-app', 'version', { version: 'one' }, /invalid version "one"\. Expected a PEP 440 release version/],
  ['poetry-app', 'imageName', { imageName: 'My App' }, /PoetryApp: invalid imageName "My App"/],
  ['poetry-app', 'healthCheckPath', { port: 8000, healthCheckPath: 'healthz' }, /invalid healthCheckPath "healthz"/],
  ['poetry-app', 'runtimeUid root', { runtimeUid: 0 }, /PoetryApp: invalid runtimeUid 0\. Expected a non-root numeric id/],
  ['poetry-app', 'imageRegistry', { imageRegistry: 'Bad Registry' }, /PoetryApp: invalid imageRegistry "Bad Registry"\. Expected a registry host/],
  ['poetry-app', 'dockerfileSyntax not an image', { dockerfileSyntax: 'docker/dockerfile:1 # latest' }, /PoetryApp: invalid dockerfileSyntax "docker\/dockerfile:1 # latest"\. Expected a frontend image reference with a tag or a digest, such as "docker\/dockerfile:1"/],
  ['go-app', 'dockerfileSyntax without a tag', { dockerfileSyntax: 'docker/dockerfile' }, /GoApp: invalid dockerfileSyntax "docker\/dockerfile"\. Without a tag, BuildKit would fetch whatever "latest" is/],
  ['node-app', 'dockerfileSyntax with a short digest', { dockerfileSyntax: `docker/dockerfile:1@sha256:${'a'.repeat(40)}` },
    /NodeApp: invalid dockerfileSyntax "docker\/dockerfile:1@sha256:a{40}"\. The digest "sha256:a{40}" is not a pin BuildKit can verify: expected "sha256:" and 64 lowercase hex digits/],
  ['poetry-app', 'dockerfileSyntax with a variable', { dockerfileSyntax: 'docker/dockerfile:${V}' }, /PoetryApp: invalid dockerfileSyntax "docker\/dockerfile:\$\{V\}"\. A parser directive expands no variables/],
  ['poetry-app', 'secret id', { packageIndexSecret: 'my secret' }, /invalid packageIndexSecret "my secret"\. Expected a build secret id/],
  ['poetry-app', 'poetry in builder without a builder', { poetryInBuilderImage: true }, /poetryInBuilderImage is true but builderImage is not set/],
  ['go-app', 'module path with a space', { modulePath: 'example.com/my app' }, /GoApp: invalid modulePath "example.com\/my app"\. Expected a Go module path/],
  ['go-app', 'module path with ..', { modulePath: 'example.com/../x' }, /invalid modulePath/],
  ['go-app', 'uppercase domain', { modulePath: 'Example.com/x' }, /invalid modulePath "Example\.com\/x"/],
  ['go-app', 'Go version', { goVersion: '2.0' }, /GoApp: invalid goVersion "2\.0"\. Expected a Go version "1\.N"/],
  ['go-app', 'Go version too old', { goVersion: '1.18' }, /invalid goVersion "1\.18"/],
  ['go-app', 'toolchain syntax', { toolchain: '1.27.1' }, /invalid toolchain "1\.27\.1"\. Expected a toolchain name such as "go1\.27\.4"/],
  ['go-app', 'toolchain older than go', { goVersion: '1.27', toolchain: 'go1.26.3' }, /toolchain "go1\.26\.3" is older than goVersion "1\.27"/],
  ['go-app', 'dependency without version', { deps: ['golang.org/x/text'] }, /invalid version of golang\.org\/x\/text undefined/],
  ['go-app', 'dependency with a bad version', { deps: ['golang.org/x/text@0.22'] }, /invalid version of golang\.org\/x\/text "0\.22"/],
  ['go-app', 'replace outside the project', { replaces: { 'example.com/lib': '../lib' } }, /invalid replaces\["example\.com\/lib"\] "\.\.\/lib"\. Expected a folder inside the project/],
  ['go-app', 'replace absolute', { replaces: { 'example.com/lib': '/opt/lib' } }, /invalid replaces\["example\.com\/lib"\]/],
  ['go-app', 'binary name', { binaryName: 'My Tool' }, /GoApp: invalid binaryName "My Tool"/],
  ['go-app', 'port', { port: 0 }, /invalid port 0/],
  ['go-app', 'version', { version: 'v1' }, /GoApp: invalid version "v1"\. Expected a semantic version/],
  ['go-app', 'builder variant', { builderImageVariant: 'windowsservercore' }, /invalid builderImageVariant "windowsservercore"/],
  ['go-app', 'runtime', { runtime: 'alpine' as any }, /GoApp: invalid runtime "alpine"\. Expected one of distroless, scratch/],
  ['node-app', 'imageBuildOmits names no npm package', { imageBuildOmits: ['projen', 'Not A Package'] }, /NodeApp: invalid imageBuildOmits\[1\] "Not A Package"\. Expected an npm package name/],
  ['node-app', 'imageBuildOmits with pnpm', { packageManager: 'pnpm', imageBuildOmits: ['projen'] }, /NodeApp: invalid imageBuildOmits \["projen"\]\. Only npm can remove packages from its lock file without installing: with pnpm, leave it unset/],
  ['node-app', 'unknown Node version', { nodeVersion: '19' }, /NodeApp: invalid nodeVersion "19"\. Expected a Node\.js major: one of 20, 22, 24, 26/],
  ['node-app', 'Node version not a major', { nodeVersion: '24.1' }, /invalid nodeVersion "24\.1"/],
  ['node-app', 'Node older than engines', { nodeVersion: '22', minNodeVersion: '24.0.0' }, /nodeVersion "22" contradicts minNodeVersion "24\.0\.0"/],
  ['node-app', 'Node newer than maxNodeVersion', { nodeVersion: '24', maxNodeVersion: '22.99.0' }, /nodeVersion "24" contradicts maxNodeVersion "22\.99\.0"/],
  ['node-app', 'entrypoint outside lib', { entrypoint: 'src/index.ts' }, /invalid entrypoint \(package\.json main\) "src\/index\.ts"\. Expected a \.js file under "lib"/],
  ['node-app', 'entrypoint escaping', { entrypoint: 'lib/../../etc/x.js' }, /invalid entrypoint/],
  ['node-app', 'image variant', { nodeImageVariant: 'windows' }, /invalid nodeImageVariant "windows"/],
  ['node-app', 'bun', { packageManager: NodePackageManager.BUN }, /invalid packageManager "bun"/],
  ['node-app', 'static site on a privileged port', { appKind: NodeAppKind.STATIC_SITE, port: 80 }, /invalid port 80\. A static site is served by an unprivileged web server/],
  ['node-app', 'port out of range', { port: 123456 }, /invalid port 123456/],
  ['node-app', 'static site dir', { appKind: NodeAppKind.STATIC_SITE, staticSiteDir: '../out' }, /invalid staticSiteDir "\.\.\/out"/],
  ['node-app', 'description with a newline', { description: 'two\nlines' }, /NodeApp: invalid description "two\\nlines"/],
  // rust-app.
  ['rust-app', 'Rust version not a version', { rustVersion: 'stable' }, /RustApp: invalid rustVersion "stable"\. Expected a Rust version "1\.N" or "1\.N\.P" with N from 85 \(edition 2024\) to 97/],
  ['rust-app', 'Rust version before edition 2024', { rustVersion: '1.84' }, /RustApp: invalid rustVersion "1\.84"\. Expected a Rust version/],
  ['rust-app', 'binary name with a space', { binaryName: 'my tool' }, /RustApp: invalid binaryName "my tool"\. Expected a cargo package name/],
  ['rust-app', 'binary name starting with a digit', { binaryName: '1tool' }, /RustApp: invalid binaryName "1tool"/],
  ['rust-app', 'dependency without a requirement', { deps: ['serde'] }, /RustApp: invalid version requirement of serde undefined\. Expected a cargo version requirement/],
  ['rust-app', 'dependency requirement with TOML in it', { deps: ['serde@1.0"\nevil = "1'] }, /RustApp: invalid version requirement of serde/],
  ['rust-app', 'dependency name', { deps: ['not a crate@1'] }, /RustApp: invalid dependency name "not a crate"/],
  ['rust-app', 'runtime', { runtime: 'alpine' as any }, /RustApp: invalid runtime "alpine"\. Expected one of distroless-cc, distroless-static/],
  ['rust-app', 'builder variant', { builderImageVariant: 'alpine' }, /RustApp: invalid builderImageVariant "alpine"\. Expected "bookworm" or "trixie"/],
  ['rust-app', 'crateRegistry not a URL', { crateRegistry: 'crates mirror' }, /RustApp: invalid crateRegistry "crates mirror"\. Expected an http\(s\) URL/],
  ['rust-app', 'crateRegistry with credentials', { crateRegistry: 'https://u:token@crates.example.com/index/' }, /RustApp: invalid crateRegistry .*Credentials \("user:password@"\) must not be written.*CARGO_REGISTRIES_<NAME>_TOKEN/],
  ['rust-app', 'version', { version: 'v1' }, /RustApp: invalid version "v1"\. Expected a semantic version/],
  ['rust-app', 'port', { port: 70000 }, /RustApp: invalid port 70000/],
  // java-app.
  ['java-app', 'Java version not an LTS', { javaVersion: '22' }, /^JavaApp: invalid javaVersion "22"\. Expected a Java LTS release: "17", "21", "25"\.$/],
  ['java-app', 'Java version with a vendor', { javaVersion: 'temurin-21' }, /^JavaApp: invalid javaVersion "temurin-21"\. Expected a Java LTS release/],
  ['java-app', 'groupId with a space', { groupId: 'com example' }, /^JavaApp: invalid groupId "com example"\. Expected a Maven groupId/],
  ['java-app', 'artifactId with a slash', { artifactId: 'my/app' }, /^JavaApp: invalid artifactId "my\/app"\. Expected a Maven artifactId/],
  ['java-app', 'mainClass with a keyword', { mainClass: 'com.example.class.App' }, /^JavaApp: invalid mainClass "com\.example\.class\.App"\. Expected a fully qualified Java class name/],
  ['java-app', 'mainClass with a dash', { mainClass: 'com.my-app.App' }, /^JavaApp: invalid mainClass "com\.my-app\.App"\./],
  ['java-app', 'dependency without a version', { deps: ['org.slf4j:slf4j-api'] }, /^JavaApp: invalid version of org\.slf4j:slf4j-api undefined\. Expected an exact release version/],
  ['java-app', 'dependency with a version range', { deps: ['org.slf4j:slf4j-api@[2.0,3.0)'] }, /^JavaApp: invalid version of org\.slf4j:slf4j-api "\[2\.0,3\.0\)"\. Expected an exact release version .*no range, SNAPSHOT or LATEST/],
  ['java-app', 'dependency on a SNAPSHOT', { deps: ['com.example:lib@1.0-SNAPSHOT'] }, /^JavaApp: invalid version of com\.example:lib "1\.0-SNAPSHOT"/],
  ['java-app', 'dependency without a groupId', { deps: ['slf4j-api@2.0.9'] }, /^JavaApp: invalid dependency "slf4j-api"\. Expected groupId:artifactId@version/],
  ['java-app', 'test dependency with XML in it', { testDeps: ['org.junit.jupiter:junit-jupiter@5.10.2</version><x>'] }, /^JavaApp: invalid version of org\.junit\.jupiter:junit-jupiter/],
  ['java-app', 'mavenRepository not a URL', { mavenRepository: 'maven mirror' }, /^JavaApp: invalid mavenRepository "maven mirror"\. Expected an http\(s\) URL/],
  ['java-app', 'mavenRepository with credentials', { mavenRepository: 'https://u:token@maven.example.com/repo/' }, /^JavaApp: invalid mavenRepository .*Credentials \("user:password@"\) must not be written.*<server> with the id "org-mirror"/],
  ['java-app', 'version SNAPSHOT', { version: '1.0-SNAPSHOT' }, /^JavaApp: invalid version "1\.0-SNAPSHOT"\. Expected a Maven release version/],
  ['java-app', 'port', { port: 0 }, /^JavaApp: invalid port 0/],
  // Second hardening pass (issue 14). Names that cannot work.
  ['poetry-app', 'moduleName of the standard library', { moduleName: 'json' }, /PoetryApp: invalid moduleName "json"\. It is a module of Python's standard library.*Set moduleName to another name, e\.g\. "json_app"/],
  ['poetry-app', 'project name that derives a standard-library module', { name: 'email' }, /PoetryApp: invalid moduleName \(derived from name "email"\) "email"\. It is a module of Python's standard library/],
  ['poetry-app', 'scriptName that replaces the venv interpreter', { scriptName: 'python' }, /PoetryApp: invalid scriptName "python"\. The script is installed into \/app\/\.venv\/bin/],
  ['poetry-app', 'scriptName that replaces pip', { scriptName: 'pip3' }, /PoetryApp: invalid scriptName "pip3"/],
  ['poetry-app', 'scriptName that replaces activate', { scriptName: 'activate' }, /PoetryApp: invalid scriptName "activate"/],
  ['poetry-app', 'a 100 kB description', { description: 'x'.repeat(100_000) }, /PoetryApp: invalid description "x{40}\.\.\." \(100000 characters\)\. It must be at most 512 characters/],
  ['go-app', 'a 100 kB description', { description: 'x'.repeat(100_000) }, /GoApp: invalid description "x{40}\.\.\." \(100000 characters\)\. It must be at most 512 characters/],
  ['node-app', 'a 100 kB description', { description: 'x'.repeat(100_000) }, /NodeApp: invalid description "x{40}\.\.\." \(100000 characters\)\. It must be at most 512 characters/],
  ['poetry-app', 'a 100 kB image label', { imageLabels: { 'com.example.notes': 'y'.repeat(100_000) } }, /PoetryApp: invalid imageLabels\["com\.example\.notes"\] "y{40}\.\.\." \(100000 characters\)\. It must be at most 4096 characters/],
  ['poetry-app', 'a 10 kB health check path', { port: 8000, healthCheckPath: `/${'h'.repeat(10_000)}` }, /PoetryApp: invalid healthCheckPath "\/h{39}\.\.\." \(10001 characters\)\. It must be at most 1024 characters/],
  ['go-app', 'a 300-character binary name', { binaryName: 'b'.repeat(300) }, /GoApp: invalid binaryName "b{40}\.\.\." \(300 characters\)\. It must be at most 128 characters/],
  ['poetry-app', 'description with a lone surrogate', { description: 'broken \ud800 text' }, /PoetryApp: invalid description "broken \\ud800 text"\. It must be a single line without control characters/],
  // Credentials in URL options.
  ['poetry-app', 'packageIndex with a token in the query', { packageIndex: 'https://pypi.example.com/simple/?token=abc123' }, /PoetryApp: invalid packageIndex "https:\/\/pypi\.example\.com\/simple\/\?token=abc123"\. A URL option takes no query or fragment.*set packageIndexSecret/],
  ['poetry-app', 'packageIndex with a token as the user', { packageIndex: 'https://ghp_abc123@pypi.example.com/simple/' }, /PoetryApp: invalid packageIndex .*Credentials \("user:password@"\) must not be written/],
  ['poetry-app', 'repositoryUrl with credentials', { repositoryUrl: 'https://user:pass@github.com/org/repo' }, /PoetryApp: invalid repositoryUrl "https:\/\/user:pass@github\.com\/org\/repo"\. Credentials/],
  ['go-app', 'repositoryUrl with a token in the query', { repositoryUrl: 'https://git.example.com/org/repo?private_token=abc' }, /GoApp: invalid repositoryUrl .*A URL option takes no query or fragment/],
  ['node-app', 'repository with credentials', { repository: 'https://user:pass@github.com/org/repo.git' }, /NodeApp: invalid repository "https:\/\/user:pass@github\.com\/org\/repo\.git"\. Credentials/],
  // Errors name the option the user wrote, with the value as given.
  ['poetry-app', 'imageLabels key with a space', { imageLabels: { 'a b': 'x' } }, /PoetryApp: invalid imageLabels key "a b"\. Expected letters, digits/],
  ['go-app', 'imageLabels key with a quote', { imageLabels: { 'team"': 'x' } }, /GoApp: invalid imageLabels key "team\\""/],
  ['poetry-app', 'imageRegistry with a separator', { imageRegistry: 'mirror.example.com;x' }, /PoetryApp: invalid imageRegistry "mirror\.example\.com;x"\. Expected a registry host/],
  ['node-app', 'imageRegistry with a space', { imageRegistry: 'mirror example' }, /NodeApp: invalid imageRegistry "mirror example"/],
  ['go-app', 'runtimeUid root', { runtimeUid: 0 }, /GoApp: invalid runtimeUid 0\. Expected a non-root numeric id/],
  ['node-app', 'runtimeUid negative', { runtimeUid: -5 }, /NodeApp: invalid runtimeUid -5\. Expected a non-root numeric id/],
  ['poetry-app', 'port NaN', { port: NaN }, /PoetryApp: invalid port NaN\. Expected an integer port from 1 to 65535/],
  ['go-app', 'port Infinity', { port: Infinity }, /GoApp: invalid port Infinity\./],
  ['poetry-app', 'a devDeps tarball that is not there', { devDeps: ['./missing/stagecraft-9.9.9.tgz'] }, /^invalid devDeps entry "\.\/missing\/stagecraft-9\.9\.9\.tgz": there is no file or folder at .*missing\/stagecraft-9\.9\.9\.tgz\. Expected "name", "name@range", or the path of an npm package tarball or folder/],
  ['node-app', 'a devDeps tarball that is not there', { devDeps: ['file:../nowhere.tgz'] }, /^invalid devDeps entry "file:\.\.\/nowhere\.tgz": there is no file or folder at/],
  // Folders a build empties never point at the user's sources, the root, or what projen and npm own.
  ['node-app', 'staticSiteDir on the sources', { appKind: NodeAppKind.STATIC_SITE, staticSiteDir: 'src' }, /NodeApp: invalid staticSiteDir "src"\. The build empties it, and it overlaps srcdir \(the sources\) "src"/],
  ['node-app', 'staticSiteDir inside the sources', { appKind: NodeAppKind.STATIC_SITE, staticSiteDir: 'src/site' }, /invalid staticSiteDir "src\/site"\. The build empties it, and it overlaps srcdir/],
  ['node-app', 'staticSiteDir on the tests', { appKind: NodeAppKind.STATIC_SITE, staticSiteDir: 'test' }, /invalid staticSiteDir "test"\. .*testdir/],
  ['node-app', 'staticSiteDir on the compiled output', { appKind: NodeAppKind.STATIC_SITE, staticSiteDir: 'lib' }, /invalid staticSiteDir "lib"\. .*libdir/],
  ['node-app', 'staticSiteDir on the pages', { appKind: NodeAppKind.STATIC_SITE, staticSiteDir: 'public' }, /invalid staticSiteDir "public"\. .*public\//],
  ['node-app', 'staticSiteDir on the project root', { appKind: NodeAppKind.STATIC_SITE, staticSiteDir: '.' }, /invalid staticSiteDir "\."\. Expected a relative folder inside the project/],
  ['node-app', 'staticSiteDir on node_modules', { appKind: NodeAppKind.STATIC_SITE, staticSiteDir: 'node_modules/.site' }, /invalid staticSiteDir "node_modules\/\.site"/],
  // The modules esbuild bundles: files under the sources, written to the site at the same path.
  ['node-app', 'no static site entry module', { appKind: NodeAppKind.STATIC_SITE, staticSiteEntrypoints: [] }, /NodeApp: invalid staticSiteEntrypoints \[\]\. Expected at least one module for the pages to load, such as "src\/main\.ts"/],
  ['node-app', 'a static site entry module that escapes the sources', { appKind: NodeAppKind.STATIC_SITE, staticSiteEntrypoints: ['src/../main.ts'] }, /invalid staticSiteEntrypoints\[0\] "src\/\.\.\/main\.ts"\. Expected a \.ts/],
  ['node-app', 'a static site entry module that is no module', { appKind: NodeAppKind.STATIC_SITE, staticSiteEntrypoints: ['src/main.css'] }, /invalid staticSiteEntrypoints\[0\] "src\/main\.css"\./],
  ['node-app', 'a static site entry module with a shell word', { appKind: NodeAppKind.STATIC_SITE, staticSiteEntrypoints: ['src/a.ts;rm'] }, /invalid staticSiteEntrypoints\[0\] "src\/a\.ts;rm"\./],
  // Configuration by environment.
  ['poetry-app', 'environment name', { environment: { 'MY-VAR': 'x' } }, /PoetryApp: invalid environment "MY-VAR"\. Expected an environment variable name/],
  ['poetry-app', 'environment value with a newline', { environment: { GREETING: 'a\nb' } }, /PoetryApp: invalid environment\["GREETING"\] "a\\nb"\. It must be a single line/],
  ['poetry-app', 'environment PORT beside port', { port: 8000, environment: { PORT: '9000' } }, /PoetryApp: invalid environment "PORT"\. PORT is set by stagecraft from port: set port instead/],
  ['poetry-app', 'environment PATH, which the venv needs', { environment: { PATH: '/usr/bin' } }, /PoetryApp: invalid environment "PATH"\. PATH is set by stagecraft: the image needs its value/],
  ['node-app', 'commandArgs not strings', { commandArgs: [1 as any] }, /NodeApp: invalid commandArgs\[0\] 1\. Expected a string/],
  ['go-app', 'commandArgs with a newline', { commandArgs: ['--a', 'b\nc'] }, /GoApp: invalid commandArgs\[1\] "b\\nc"/],
  ['go-app', 'linker variable name', { linkerVariables: { version: '1' } }, /GoApp: invalid linkerVariables "version"\. Expected a Go variable as "importpath\.name"/],
  ['go-app', 'linker variable value with a quote', { linkerVariables: { 'main.version': '1" -X main.x=2' } }, /GoApp: invalid linkerVariables\["main\.version"\] "1\\" -X main\.x=2"\. Expected letters, digits/],
  // The size budget `verify` checks.
  ['poetry-app', 'imageSizeBudgetMb zero', { imageSizeBudgetMb: 0 }, /PoetryApp: invalid imageSizeBudgetMb 0\. Expected a whole number of MB \(10\^6 bytes, as "docker images" counts them\) from 1 to 100000/],
  ['node-app', 'imageSizeBudgetMb a fraction', { imageSizeBudgetMb: 120.5 }, /NodeApp: invalid imageSizeBudgetMb 120\.5\. Expected a whole number of MB/],
  ['go-app', 'imageSizeBudgetMb not a number', { imageSizeBudgetMb: NaN }, /GoApp: invalid imageSizeBudgetMb NaN\. Expected a whole number of MB/],
  // Writable folders.
  ['poetry-app', 'writablePaths relative', { writablePaths: ['var/data'] }, /PoetryApp: invalid writablePaths\[0\] "var\/data"\. Expected an absolute folder/],
  ['go-app', 'writablePaths the root', { writablePaths: ['/'] }, /GoApp: invalid writablePaths\[0\] "\/"\. Expected an absolute folder/],
  ['node-app', 'writablePaths a system folder', { writablePaths: ['/etc/app'] }, /NodeApp: invalid writablePaths\[0\] "\/etc\/app"\. A system folder must not be writable/],
  ['poetry-app', 'writablePaths nested', { writablePaths: ['/data', '/data/cache'] }, /PoetryApp: invalid writablePaths\[1\] "\/data\/cache"\. It is inside writablePaths\[0\] "\/data"/],
  ['node-app', 'name with a line break', { name: 'my\napp' }, /NodeApp: invalid name "my\\napp"\. It must be a single line/],
  ['node-app', 'a package name npm refuses', { name: 'My App' }, /NodeApp: invalid packageName \(package\.json name, from name unless set\) "My App"\. Expected an npm package name/],
  // Options a project type does not have: a typo, or another type's option.
  ['poetry-app', 'a misspelt option', { pythonVerison: '3.13' }, /PoetryAppProject: unknown option "pythonVerison"\. Did you mean "pythonVersion"\?/],
  ['poetry-app', 'another type\'s option', { goVersion: '1.27' }, /PoetryAppProject: unknown option "goVersion"/],
  ['go-app', 'a misspelt option', { modulepath: 'example.com/x' }, /GoAppProject: unknown option "modulepath"\. Did you mean "modulePath"\?/],
  ['go-app', 'another type\'s option', { pythonVersion: '3.13' }, /GoAppProject: unknown option "pythonVersion"/],
  ['node-app', 'a misspelt option', { nodeVersoin: '24' }, /NodeAppProject: unknown option "nodeVersoin"\. Did you mean "nodeVersion"\?/],
  ['node-app', 'another type\'s option', { goVersion: '1.27' }, /NodeAppProject: unknown option "goVersion"/],
  // Contradictions between options name both.
  ['poetry-app', 'requiresPython excludes pythonVersion, pinned', { pythonVersion: '3.12.4', requiresPython: '<3.12.4' }, /pythonVersion "3\.12\.4" contradicts requiresPython "<3\.12\.4"/],
  ['poetry-app', 'runtimeImage contradicts pythonVersion', { pythonVersion: '3.13', runtimeImage: 'python:3.12-slim' }, /pythonVersion "3\.13" contradicts runtimeImage "python:3\.12-slim"/],
  // pip-app: the shared Python rules name PipApp; its own options.
  ['pip-app', 'pythonVersion unsupported', { pythonVersion: '2.7' }, /PipApp: invalid pythonVersion "2\.7"\. Expected a supported Python version/],
  ['pip-app', 'requiresPython contradicts', { pythonVersion: '3.11', requiresPython: '>=3.12' }, /PipApp: pythonVersion "3\.11" contradicts requiresPython ">=3\.12"/],
  ['pip-app', 'scriptTarget outside the package', { scriptTarget: 'other.app:main' }, /PipApp: invalid scriptTarget "other\.app:main"\. The module must be the package "demo"/],
  ['pip-app', 'scriptName shadows the venv\'s pip', { scriptName: 'pip' }, /PipApp: invalid scriptName "pip"\. The script is installed into \/app\/\.venv\/bin/],
  ['pip-app', 'moduleName of the standard library', { moduleName: 'json' }, /PipApp: invalid moduleName "json"\. It is a module of Python's standard library/],
  ['pip-app', 'project name', { name: 'bad name!' }, /PipApp: invalid name "bad name!"\. Expected a PEP 508 project name/],
  ['pip-app', 'musl runtime for a glibc builder', { runtimeImageVariant: 'alpine' }, /PipApp: builderImageVariant "python:3\.13-slim" and runtimeImageVariant "python:3\.13-alpine" use different C libraries/],
  ['pip-app', 'dependency constraint', { deps: ['requests@>>2'] }, /PipApp: invalid dependency version constraint of requests ">>2"/],
  ['pip-app', 'setuptoolsVersion not PEP 440', { setuptoolsVersion: '^78' }, /PipApp: invalid setuptoolsVersion "\^78"\. Expected a PEP 440 specifier set such as ">=77\.0"/],
  ['pip-app', 'setuptoolsVersion with a shell word', { setuptoolsVersion: ">=77' && rm -rf / '" }, /PipApp: invalid setuptoolsVersion/],
  ['pip-app', 'packageIndex with credentials', { packageIndex: 'https://user:secret@pypi.example.com/simple/' }, /PipApp: invalid packageIndex "https:\/\/user:secret@pypi\.example\.com\/simple\/"\. Credentials .*set packageIndexSecret/],
  ['pip-app', 'secret id', { packageIndexSecret: 'my secret' }, /PipApp: invalid packageIndexSecret "my secret"\. Expected a build secret id/],
  ['pip-app', 'version', { version: 'one' }, /PipApp: invalid version "one"\. Expected a PEP 440 release version/],
  ['pip-app', 'port out of range', { port: 70000 }, /PipApp: invalid port 70000/],
  ['node-app', 'a static site with a port too low for an unprivileged server', { appKind: NodeAppKind.STATIC_SITE, port: 443 }, /invalid port 443/],
  // The workspace's own options (wiring between components: test/workspace/workspace.test.ts).
  ['workspace', 'a bake platform without its os', { platforms: ['amd64'] }, /BakeFile: invalid platforms\[0\] "amd64"\. Expected os\/arch\[\/variant\]/],
  ['workspace', 'no bake platform', { platforms: [] }, /BakeFile: invalid platforms \[\]\. Expected at least one platform/],
  ['workspace', 'the sample\'s package index with credentials', { packageIndex: 'https://u:p@pypi.example.com/simple/' }, /PoetryApp "api": invalid packageIndex "https:\/\/u:p@pypi\.example\.com\/simple\/"\. Credentials/],
  ['workspace', 'the sample\'s Dockerfile syntax without a tag', { dockerfileSyntax: 'docker/dockerfile' }, /invalid dockerfileSyntax "docker\/dockerfile"\. Without a tag/],
  ['workspace', 'a misspelt option', { sampleCod: false }, /WorkspaceProject: unknown option "sampleCod"\. Did you mean "sampleCode"\?/],
  // A project type is a workspace of one: its app is at the root.
  ['poetry-app', 'a project type\'s app in a folder', { folder: 'apps/api' }, /PoetryAppProject: invalid folder "apps\/api"\. A project type holds one app, at its root/],
  ['go-app', 'a project type\'s app in a folder', { folder: 'worker' }, /GoAppProject: invalid folder "worker"\. A project type holds one app, at its root/],
  ['pip-app', 'a project type\'s app in a folder', { folder: 'apps/jobs' }, /PipAppProject: invalid folder "apps\/jobs"\. A project type holds one app, at its root/],
  ['rust-app', 'a project type\'s app in a folder', { folder: 'edge' }, /RustAppProject: invalid folder "edge"\. A project type holds one app, at its root/],
  ['java-app', 'a project type\'s app in a folder', { folder: 'apps/jvm' }, /JavaAppProject: invalid folder "apps\/jvm"\. A project type holds one app, at its root.*new JavaApp\(project, "<id>"\)/],
];

/**
 * Where apps go in a project, one bad placement per row: what is wrong, the app added to a
 * project that already has a Poetry app "api" (port 8000, in apps/api) and a Go app "worker"
 * (apps/worker), and the error, which names the app (its type and id), the option and the value.
 */
export type BadPlacement = [name: string, add: (project: Project) => void, message: RegExp];

export const BAD_PLACEMENTS: BadPlacement[] = [
  ['a duplicate id', (p) => new GoApp(p, 'api', { folder: 'apps/api2' }), /^GoApp "api": invalid id "api"\. PoetryApp "api" has it already: each app of a project has an id of its own\.$/],
  ['an id in capitals', (p) => new PoetryApp(p, 'Billing'), /^PoetryApp "Billing": invalid id "Billing"\. Expected a folder and compose service name: lowercase letters, digits and "-", starting with a letter/],
  ['an id with "_"', (p) => new GoApp(p, 'my_worker'), /^GoApp "my_worker": invalid id "my_worker"\./],
  ['an id starting with a digit', (p) => new GoApp(p, '2nd'), /^GoApp "2nd": invalid id "2nd"\./],
  ['an id ending with "-"', (p) => new GoApp(p, 'jobs-'), /^GoApp "jobs-": invalid id "jobs-"\./],
  ['an id of 64 characters', (p) => new GoApp(p, `a${'b'.repeat(63)}`), /^GoApp "ab{63}": invalid id "ab{63}"\. .*at most 63 characters/],
  ['an empty id', (p) => new GoApp(p, ''), /^GoApp "": invalid id ""\./],
  ['an id with a slash', (p) => new GoApp(p, 'jobs/nightly'), /^GoApp "jobs\/nightly": invalid id "jobs\/nightly"\./],
  ['two apps on one port', (p) => new GoApp(p, 'probe', { port: 8000 }), /^GoApp "probe": invalid port 8000\. PoetryApp "api" listens on it already: give each app a port of its own\.$/],
  ['two Node services on the default port', (p) => { new NodeApp(p, 'web'); new NodeApp(p, 'admin'); }, /^NodeApp "admin": invalid port 3000\. NodeApp "web" listens on it already/],
  ['two apps in one folder', (p) => new GoApp(p, 'probe', { folder: 'apps/api' }), /^GoApp "probe": invalid folder "apps\/api"\. PoetryApp "api" is in "apps\/api": each app needs a folder of its own, neither inside the other\.$/],
  ['an app inside another\'s folder', (p) => new NodeApp(p, 'web', { folder: 'apps/worker/web' }), /^NodeApp "web": invalid folder "apps\/worker\/web"\. GoApp "worker" is in "apps\/worker"/],
  ['an app around other apps', (p) => new GoApp(p, 'all', { folder: 'apps' }), /^GoApp "all": invalid folder "apps"\. PoetryApp "api" is in "apps\/api"/],
  ['an app at the root beside others', (p) => new GoApp(p, 'root', { folder: '.' }), /^GoApp "root": invalid folder "\."\. GoApp "root" is at the project's root \("\."\), which holds one app alone/],
  ['a folder outside the project', (p) => new GoApp(p, 'out', { folder: '../out' }), /^GoApp "out": invalid folder "\.\.\/out"\. Expected "\." or a relative folder inside the project/],
  ['an absolute folder', (p) => new PoetryApp(p, 'abs', { folder: '/srv/abs' }), /^PoetryApp "abs": invalid folder "\/srv\/abs"\./],
  ['a hidden folder', (p) => new GoApp(p, 'hidden', { folder: '.apps/hidden' }), /^GoApp "hidden": invalid folder "\.apps\/hidden"\./],
  ['a folder with a trailing slash', (p) => new GoApp(p, 'slash', { folder: 'services/slash/' }), /^GoApp "slash": invalid folder "services\/slash\/"\./],
  ['a folder with a space', (p) => new GoApp(p, 'space', { folder: 'my apps/space' }), /^GoApp "space": invalid folder "my apps\/space"\./],
  // Wiring: connectTo (more in test/workspace/workspace.test.ts).
  ['connectTo itself', (p) => app(p, 'api').connectTo(app(p, 'api')), /^PoetryApp "api": invalid connectTo target "api"\. A component cannot connect to itself/],
  ['connectTo a command-line app', (p) => new GoApp(p, 'probe', { port: 9000 }).connectTo(app(p, 'worker')), /^GoApp "probe": invalid connectTo target "worker"\. "worker" has no port \(a command-line app\)/],
  ['a cycle of dependencies', (p) => {
    const probe = new GoApp(p, 'probe', { port: 9000 });
    probe.connectTo(app(p, 'api'));
    app(p, 'api').connectTo(probe);
  }, /^PoetryApp "api": invalid connectTo target "probe"\. It would close a cycle of dependencies \(api -> probe -> api\)/],
  ['connectTo under an env name that is not one', (p) => new GoApp(p, 'probe', { port: 9000 }).connectTo(app(p, 'api'), { env: 'api-url' }), /^GoApp "probe": invalid connectTo env "api-url"\. Expected an environment variable name/],
  // The options every app shares name the app of several by its id.
  ['a shared option of an app in a folder', (p) => new GoApp(p, 'probe', { port: 70000 }), /^GoApp "probe": invalid port 70000\. Expected an integer port from 1 to 65535\.$/],
  ['an image name of an app in a folder', (p) => new NodeApp(p, 'web', { imageName: 'Web App' }), /^NodeApp "web": invalid imageName "Web App"\./],
  ['an ecosystem option of an app in a folder', (p) => new PoetryApp(p, 'billing', { pythonVersion: '2.7' }), /^PoetryApp "billing": invalid pythonVersion "2\.7"\./],
  ['a Go option of an app in a folder', (p) => new GoApp(p, 'probe', { modulePath: 'example.com/my app' }), /^GoApp "probe": invalid modulePath "example\.com\/my app"\. Expected a Go module path/],
  ['a Node option of an app in a folder', (p) => new NodeApp(p, 'web', { nodeImageVariant: 'windows' }), /^NodeApp "web": invalid nodeImageVariant "windows"\./],
  // pip and Rust apps are placed by the same rules.
  ['a pip app with a taken id', (p) => new PipApp(p, 'worker', { folder: 'apps/jobs' }), /^PipApp "worker": invalid id "worker"\. GoApp "worker" has it already/],
  ['a Rust service on a taken port', (p) => new RustApp(p, 'edge', { port: 8000 }), /^RustApp "edge": invalid port 8000\. PoetryApp "api" listens on it already: give each app a port of its own\.$/],
  ['a pip app inside another\'s folder', (p) => new PipApp(p, 'jobs', { folder: 'apps/api/jobs' }), /^PipApp "jobs": invalid folder "apps\/api\/jobs"\. PoetryApp "api" is in "apps\/api"/],
  ['a Rust app at the root beside others', (p) => new RustApp(p, 'edge', { folder: '.' }), /^RustApp "edge": invalid folder "\."\. RustApp "edge" is at the project's root/],
  ['a pip option of an app in a folder', (p) => new PipApp(p, 'jobs', { scriptName: 'pip' }), /^PipApp "jobs": invalid scriptName "pip"\. The script is installed into/],
  ['a Rust option of an app in a folder', (p) => new RustApp(p, 'edge', { deps: ['serde'] }), /^RustApp "edge": invalid version requirement of serde undefined\./],
  // Shared code: libraries and the path dependencies on them.
  ['a path dependency on a folder that is no library', (p) => new GoApp(p, 'probe', { replaces: { 'example.com/nope': '../../libs/nope' } }),
    /^GoApp "probe": invalid replaces\["example\.com\/nope"\] "\.\.\/\.\.\/libs\/nope"\. "libs\/nope" is not a component or library of the workspace \(Go libraries: none\): add new GoLibrary\(project, "<id>", \{ folder: "libs\/nope" \}\), or point at one of them\.$/],
  ['a path dependency on another app\'s folder', (p) => new GoApp(p, 'probe', { replaces: { 'example.com/worker': '../worker' } }),
    /^GoApp "probe": invalid replaces\["example\.com\/worker"\] "\.\.\/worker"\. "apps\/worker" is the folder of GoApp "worker", an app: its code is not shared/],
  ['a path dependency on a library under another module path', (p) => {
    new GoLibrary(p, 'shared');
    new GoApp(p, 'probe', { replaces: { 'example.com/other': '../../libs/shared' } });
  }, /^GoApp "probe": invalid replaces\["example\.com\/other"\] "\.\.\/\.\.\/libs\/shared"\. "libs\/shared" holds GoLibrary "shared", module "example\.com\/shared", not "example\.com\/other"/],
  ['a path dependency outside the project', (p) => new GoApp(p, 'probe', { replaces: { 'example.com/x': '../../../x' } }), /^GoApp "probe": invalid replaces\["example\.com\/x"\] "\.\.\/\.\.\/\.\.\/x"\. Expected a folder inside the project/],
  ['use of an app as a library', (p) => app(p, 'api').use(app(p, 'worker') as any),
    /^PoetryApp "api": invalid use library "apps\/worker"\. GoApp "worker" is an app, not a library: move the code two apps share into a library/],
  ['use of a library of another ecosystem', (p) => app(p, 'api').use(new GoLibrary(p, 'shared')),
    /^PoetryApp "api": invalid use library "libs\/shared"\. GoLibrary "shared" is a go library and api a python app: use a library of the app's ecosystem\.$/],
  ['a library used twice', (p) => {
    const common = new PythonLibrary(p, 'common');
    app(p, 'api').use(common);
    app(p, 'api').use(common);
  }, /^PoetryApp "api": invalid use library "libs\/common"\. api uses PythonLibrary "common" already\.$/],
  ['a library whose builder copy lands on a system folder', (p) => app(p, 'api').use(new PythonLibrary(p, 'common', { folder: 'usr/common' })),
    /^PoetryApp "api": invalid use library "usr\/common"\. The builder would copy it to \/usr\/common, on the image's own \/usr/],
  ['a Go library newer than the app\'s Go', (p) => new GoApp(p, 'probe', { goVersion: '1.24' }).use(new GoLibrary(p, 'shared', { goVersion: '1.27' })),
    /^GoApp "probe": invalid use library "libs\/shared"\. GoLibrary "shared" needs Go 1\.27 and probe builds with Go 1\.24/],
  ['a static site that uses a Python library', (p) => new NodeApp(p, 'site', { appKind: NodeAppKind.STATIC_SITE, port: 8090 }).use(new PythonLibrary(p, 'common')),
    /^NodeApp "site": invalid use library "libs\/common"\. PythonLibrary "common" is a python library and site a node app/],
  ['a static site entry module outside the sources', (p) => new NodeApp(p, 'site', { appKind: NodeAppKind.STATIC_SITE, port: 8090, staticSiteEntrypoints: ['public/main.ts'] }),
    /^NodeApp "site": invalid staticSiteEntrypoints\[0\] "public\/main\.ts"\. Expected a \.ts, \.tsx, \.mts, \.js, \.jsx or \.mjs file under the sources folder "src"/],
  ['a Node service that uses a Python library', (p) => new NodeApp(p, 'web').use(new PythonLibrary(p, 'common')),
    /^NodeApp "web": invalid use library "libs\/common"\. PythonLibrary "common" is a python library and web a node app/],
  ['a TypeScript package name npm refuses', (p) => new TypeScriptLibrary(p, 'greeting', { packageName: 'My Lib' }), /^TypeScriptLibrary "greeting": invalid packageName "My Lib"\. Expected an npm package name/],
  ['a pip app, whose hash-checked lock cannot hold a folder', (p) => new PipApp(p, 'jobs').use(new PythonLibrary(p, 'common')), /^PipApp "jobs": invalid use library "libs\/common"\. A PipApp installs its lock with pip --require-hashes, which refuses a folder/],
  ['a library with an app\'s id', (p) => new PythonLibrary(p, 'api'), /^PythonLibrary "api": invalid id "api"\. PoetryApp "api" has it already: apps and libraries of a project each have an id of their own/],
  ['a library inside an app\'s folder', (p) => new GoLibrary(p, 'shared', { folder: 'apps/worker/shared' }), /^GoLibrary "shared": invalid folder "apps\/worker\/shared"\. GoApp "worker" is in "apps\/worker": a library needs a folder of its own/],
  ['an app inside a library\'s folder', (p) => {
    new PythonLibrary(p, 'common');
    new PoetryApp(p, 'tools', { folder: 'libs/common/tools' });
  }, /^PoetryApp "tools": invalid folder "libs\/common\/tools"\. PythonLibrary "common" is in "libs\/common": an app needs a folder of its own/],
  ['a library id that is no folder name', (p) => new PythonLibrary(p, 'Common'), /^PythonLibrary "Common": invalid id "Common"\. Expected a folder name/],
  ['a library name that is no PEP 508 name', (p) => new PythonLibrary(p, 'common', { name: 'my lib' }), /^PythonLibrary "common": invalid name "my lib"\. Expected a PEP 508 project name/],
  ['a Go library package name that is a keyword', (p) => new GoLibrary(p, 'go', { folder: 'libs/golib' }), /^GoLibrary "go": invalid packageName \(derived from id "go"\) "go"\. It is a Go keyword/],
  // Java apps too.
  ['a Java service on a taken port', (p) => new JavaApp(p, 'ledger', { port: 8000 }), /^JavaApp "ledger": invalid port 8000\. PoetryApp "api" listens on it already: give each app a port of its own\.$/],
  ['a Java app at the root beside others', (p) => new JavaApp(p, 'ledger', { folder: '.' }), /^JavaApp "ledger": invalid folder "\."\. JavaApp "ledger" is at the project's root/],
  ['a Java option of an app in a folder', (p) => new JavaApp(p, 'ledger', { javaVersion: '8' }), /^JavaApp "ledger": invalid javaVersion "8"\. Expected a Java LTS release/],
];

/** The app with this id. */
function app(project: Project, id: string): AppComponent {
  return AppComponent.all(project).find((c) => c.appId === id)!;
}
