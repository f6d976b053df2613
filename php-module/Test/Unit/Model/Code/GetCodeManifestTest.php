<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Code;

use Magento\Framework\App\Filesystem\DirectoryList;
use Magento\Framework\Exception\InputException;
use MagentoIr\IncidentResponse\Model\Action\Input;
use MagentoIr\IncidentResponse\Model\Code\GetCodeManifest;
use PHPUnit\Framework\TestCase;

final class GetCodeManifestTest extends TestCase
{
    private string $root;

    protected function setUp(): void
    {
        $this->root = sys_get_temp_dir() . '/mir-manifest-' . bin2hex(random_bytes(4));
        $files = [
            '.htaccess' => 'deny',
            'index.php' => 'not listed: only pub/*.php',
            'app/etc/env.php' => '<?php return ["db" => "secret"];',
            'app/etc/config.php' => '<?php return [];',
            'app/etc/di.xml' => '<config/>',
            'app/code/Vendor/A/x.php' => 'x',
            'app/code/Vendor/A-B/y.php' => 'y',
            'app/code/Vendor/A.txt' => 'a',
            'app/design/frontend/t/skin.phtml' => 'skin',
            'pub/index.php' => 'index',
            'pub/.htaccess' => 'pub',
            'pub/media/evil.php' => 'not listed: pub/media is not code',
            'vendor/magento/framework/F.php' => 'framework',
            'vendor/other/lib.php' => 'not listed',
        ];
        foreach ($files as $path => $content) {
            @mkdir(dirname($this->root . '/' . $path), 0777, true);
            file_put_contents($this->root . '/' . $path, $content);
            touch($this->root . '/' . $path, 1000000);
        }
        symlink('/etc/hostname', $this->root . '/app/code/Vendor/link.php');
    }

    protected function tearDown(): void
    {
        exec('rm -rf ' . escapeshellarg($this->root));
    }

    private function manifest(?callable $clock = null): GetCodeManifest
    {
        return new GetCodeManifest(new DirectoryList($this->root . '/'), new Input(), $clock);
    }

    /**
     * @return list<string>
     */
    private static function paths(array $items): array
    {
        return array_map(static fn ($file): string => $file->getPath(), $items);
    }

    public function testTheManifestListsTheCodeRootsInByteOrderAndNeverEnvPhp(): void
    {
        $page = $this->manifest()->execute();
        self::assertTrue($page->isComplete());
        self::assertNull($page->getNextCursor());
        self::assertSame([
            '.htaccess',
            'app/code/Vendor/A-B/y.php',
            'app/code/Vendor/A.txt',
            'app/code/Vendor/A/x.php',
            'app/code/Vendor/link.php',
            'app/design/frontend/t/skin.phtml',
            'app/etc/di.xml',
            'pub/.htaccess',
            'pub/index.php',
            'vendor/magento/framework/F.php',
        ], self::paths($page->getItems()));
        $sorted = self::paths($page->getItems());
        usort($sorted, 'strcmp');
        self::assertSame($sorted, self::paths($page->getItems()));
        $x = $page->getItems()[3];
        self::assertSame([1, 1000000, hash('sha256', 'x')], [$x->getSize(), $x->getMtime(), $x->getSha256()]);
        self::assertSame(hash('sha256', 'symlink:/etc/hostname'), $page->getItems()[4]->getSha256());
    }

    public function testPagesResumeAfterTheCursorWithoutRepeatsOrGaps(): void
    {
        $seen = [];
        $after = null;
        $pages = 0;
        do {
            $page = $this->manifest()->execute($after, 3);
            $seen = [...$seen, ...self::paths($page->getItems())];
            $after = $page->getNextCursor();
            $pages++;
        } while (!$page->isComplete());
        self::assertSame(4, $pages);
        self::assertSame(self::paths($this->manifest()->execute()->getItems()), $seen);
    }

    public function testAPageEndsWhenItsTimeBudgetIsSpent(): void
    {
        $now = 0.0;
        $clock = static function () use (&$now): float {
            $now += 6.0;
            return $now;
        };
        $page = $this->manifest($clock)->execute(null, 100);
        self::assertFalse($page->isComplete());
        self::assertSame(['.htaccess'], self::paths($page->getItems()));
        self::assertSame(GetCodeManifest::cursor('.htaccess'), $page->getNextCursor());
        self::assertSame(['app/code/Vendor/A-B/y.php'], self::paths(
            $this->manifest()->execute($page->getNextCursor(), 1)->getItems()
        ));
    }

    public function testFilesUnchangedSinceAreListedButNotRead(): void
    {
        touch($this->root . '/app/code/Vendor/A/x.php', 3000000000);
        $items = $this->manifest()->execute(null, 100, time() - 3600)->getItems();
        $hashed = array_values(array_filter($items, static fn ($file): bool => $file->getSha256() !== null));
        // Every mtime here is from 1970, but setUp wrote the files just now: ctime gives them away.
        self::assertCount(count($items), $hashed);
        $future = $this->manifest()->execute(null, 100, time() + 3600)->getItems();
        $hashedLater = array_values(array_filter($future, static fn ($file): bool => $file->getSha256() !== null));
        self::assertSame(['app/code/Vendor/A/x.php'], self::paths($hashedLater));
        self::assertCount(10, $future);
    }

    public function testBadPagingInputIsRefused(): void
    {
        $this->expectException(InputException::class);
        $this->manifest()->execute(null, 0);
    }

    public function testACursorThatIsNotOneOfOursIsRefused(): void
    {
        $this->expectException(InputException::class);
        $this->manifest()->execute('app/code/x.php');
    }

    public function testAFileWhoseNameIsNotUtf8IsListedAndResumedAfter(): void
    {
        $odd = $this->root . "/app/code/Vendor/A/shell\xff.php";
        file_put_contents($odd, '<?php eval($_POST[1]);');
        $page = $this->manifest()->execute(null, 4);
        self::assertSame('app/code/Vendor/A/shell?.php', $page->getItems()[3]->getPath());
        self::assertSame(hash('sha256', '<?php eval($_POST[1]);'), $page->getItems()[3]->getSha256());
        self::assertSame(GetCodeManifest::cursor("app/code/Vendor/A/shell\xff.php"), $page->getNextCursor());
        $next = $this->manifest()->execute($page->getNextCursor(), 1)->getItems();
        self::assertSame(['app/code/Vendor/A/x.php'], self::paths($next));
        json_encode(self::paths($page->getItems()), JSON_THROW_ON_ERROR);
    }
}
