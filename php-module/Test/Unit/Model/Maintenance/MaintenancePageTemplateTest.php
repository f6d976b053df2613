<?php

declare(strict_types=1);

namespace MagentoIr\IncidentResponse\Test\Unit\Model\Maintenance;

use Magento\Framework\App\Config\ScopeConfigInterface;
use Magento\Framework\Module\Dir;
use MagentoIr\IncidentResponse\Model\Maintenance\MaintenancePage;
use PHPUnit\Framework\TestCase;

/**
 * The accessibility properties of the 503 page that can be checked statically (WCAG 2.2 AA).
 */
final class MaintenancePageTemplateTest extends TestCase
{
    private function page(): \DOMDocument
    {
        $html = MaintenancePage::fill(
            (string) file_get_contents(dirname(__DIR__, 4) . '/view/' . MaintenancePage::TEMPLATE),
            [
                'lang' => 'en-US',
                'store_name' => 'Shop',
                'message' => 'm',
                'retry_minutes' => '15',
                'help_email' => 'a@b.example',
            ]
        );
        $document = new \DOMDocument();
        self::assertTrue($document->loadHTML($html, LIBXML_NOERROR));
        return $document;
    }

    public function testPageHasLanguageTitleOneHeadingAndLandmarks(): void
    {
        $page = $this->page();
        self::assertSame('en-US', $page->documentElement->getAttribute('lang'));
        self::assertNotSame('', trim($page->getElementsByTagName('title')->item(0)->textContent));
        self::assertSame(1, $page->getElementsByTagName('h1')->length);
        foreach (['header', 'main', 'footer'] as $landmark) {
            self::assertSame(1, $page->getElementsByTagName($landmark)->length, $landmark);
        }
    }

    public function testPageNeedsNoScriptNeverRefreshesAndReflows(): void
    {
        $page = $this->page();
        self::assertSame(0, $page->getElementsByTagName('script')->length);
        foreach ($page->getElementsByTagName('meta') as $meta) {
            self::assertNotSame('refresh', strtolower($meta->getAttribute('http-equiv')));
        }
        $viewport = (new \DOMXPath($page))->query('//meta[@name="viewport"]')->item(0);
        self::assertStringNotContainsString('user-scalable', $viewport->getAttribute('content'));
        self::assertDoesNotMatchRegularExpression(
            '/width:\s*\d+px/',
            $page->getElementsByTagName('style')->item(0)->textContent
        );
    }

    public function testPageOffersAWayToGetHelp(): void
    {
        $link = (new \DOMXPath($this->page()))->query('//footer//a[starts-with(@href, "mailto:")]')->item(0);
        self::assertSame('a@b.example', $link->textContent);
    }

    public function testWithoutAValidContactAddressThereIsNoEmptyLink(): void
    {
        $config = $this->getMockBuilder(ScopeConfigInterface::class)->getMock();
        $config->method('getValue')->willReturnCallback(
            static fn ($path) => $path === 'trans_email/ident_general/email' ? 'not an address' : null
        );
        $moduleDir = $this->getMockBuilder(Dir::class)->disableOriginalConstructor()->getMock();
        $moduleDir->method('getDir')->willReturn(dirname(__DIR__, 4) . '/view');
        $html = (new MaintenancePage($config, $moduleDir))->render(['message' => null, 'retry_after' => 900]);

        // An empty mailto: link has no accessible name (axe-core link-name), so the line says something else.
        self::assertStringNotContainsString('mailto:', $html);
        self::assertStringContainsString(MaintenancePage::NO_HELP_LINE, $html);
        self::assertStringContainsString(
            MaintenancePage::HELP_LINE,
            (string) file_get_contents(dirname(__DIR__, 4) . '/view/' . MaintenancePage::TEMPLATE)
        );
    }

    public function testTextColoursMeetAaContrast(): void
    {
        $css = $this->page()->getElementsByTagName('style')->item(0)->textContent;
        preg_match('/body \{[^}]*color: (#[0-9a-f]{6});[^}]*background: (#[0-9a-f]{6})/s', $css, $body);
        preg_match('/a \{ color: (#[0-9a-f]{6})/', $css, $link);
        self::assertGreaterThanOrEqual(4.5, self::contrast($body[1], $body[2]));
        self::assertGreaterThanOrEqual(4.5, self::contrast($link[1], $body[2]));
    }

    private static function contrast(string $foreground, string $background): float
    {
        $luminance = static function (string $hex): float {
            $channels = array_map(static function (string $pair): float {
                $c = hexdec($pair) / 255;
                return $c <= 0.03928 ? $c / 12.92 : (($c + 0.055) / 1.055) ** 2.4;
            }, str_split(ltrim($hex, '#'), 2));
            return 0.2126 * $channels[0] + 0.7152 * $channels[1] + 0.0722 * $channels[2];
        };
        $l1 = $luminance($foreground);
        $l2 = $luminance($background);
        return (max($l1, $l2) + 0.05) / (min($l1, $l2) + 0.05);
    }
}
