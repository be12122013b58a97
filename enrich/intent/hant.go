package intent

import (
	"strings"

	"github.com/earshothq/earshot/enrich/textnorm"
)

// The phrase lists are written in simplified Chinese; customers in Taiwan,
// Hong Kong and Macau write traditional characters (你們可以…嗎, 怎麼收費,
// 報價). Folding both the text's ideographs and the lists' to simplified
// lets one list serve both. The table holds the traditional characters of
// everyday customer messages whose simplified form differs; a character
// it lacks is matched as written.
const hantPairs = "們们麼么嗎吗這这個个說说話话請请問问謝谢買买賣卖價价錢钱費费貴贵錯错對对訂订預预約约報报單单號号務务員员處处還还沒没東东車车門门開开關关間间時时點点會会來来過过發发髮发現现後后裡里裏里邊边寫写給给應应該该為为實实際际種种樣样與与於于麵面飯饭飲饮湯汤雞鸡魚鱼鮮鲜蝦虾館馆廳厅廠厂場场區区縣县國国師师團团隊队課课學学習习試试驗验計计設设裝装換换維维護护線线網网電电腦脑機机視视頻频燈灯鐘钟錶表鎖锁鑰钥園园藝艺術术書书畫画圖图紙纸燒烧蓋盖樹树窯窑盤盘壺壶鍋锅爐炉廚厨櫃柜牆墙磚砖橋桥樓楼層层頂顶簾帘鋪铺貨货運运郵邮遞递達达進进選选擇择類类級级質质數数據据歲岁幾几兩两萬万億亿張张條条塊块隻只雙双輛辆臺台檯台幫帮辦办業业營营銷销優优擔担險险證证聯联繫系係系麗丽鬆松膚肤療疗醫医藥药診诊齒齿顏颜體体頭头臉脸腳脚讓让從从將将當当無无總总經经濟济專专產产風风歡欢愛爱樂乐聽听見见覺觉親亲願愿戲戏遊游續续紅红綠绿藍蓝黃黄顆颗灣湾島岛華华陽阳雲云氣气溫温濕湿熱热凍冻滿满漲涨減减變变轉转輕轻鬧闹靜静淨净潔洁壞坏斷断舊旧齊齐難难題题錄录帶带碼码寬宽長长貼贴準准備备導导聲声響响龍龙鳥鸟馬马貓猫寵宠葉叶農农蟲虫節节禮礼紀纪慶庆壽寿廟庙義义稅税貸贷帳账賬账戶户銀银鐵铁鋼钢鏡镜飾饰繡绣織织縫缝褲裤襪袜纜缆絡络終终極极戰战勝胜敗败慣惯練练廣广傳传標标誌志誤误認认識识議议論论講讲談谈調调檢检測测詢询諮咨詳详細细賽赛獎奖創创築筑構构劃划圍围飛飞艙舱訊讯態态慮虑憑凭閱阅讀读頁页暫暂補补償偿賠赔鏈链鍵键筆笔記记組组購购劵券餘余額额獲获彈弹嬰婴兒儿孫孙婦妇陳陈劉刘趙赵鄭郑吳吴許许楊杨蔣蒋鄧邓馮冯韓韩"

// hantFold maps each traditional character (as a one-character string: Han
// tokens are one ideograph each) to its simplified form.
var hantFold = func() map[string]string {
	m := map[string]string{}
	rs := []rune(hantPairs)
	for i := 0; i+1 < len(rs); i += 2 {
		m[string(rs[i])] = string(rs[i+1])
	}
	return m
}()

// foldHant returns toks with their traditional Han tokens folded to
// simplified (offsets unchanged, so evidence still spans the text as
// written), built in *buf; toks itself when none needed folding.
func foldHant(toks []textnorm.Token, buf *[]textnorm.Token) []textnorm.Token {
	first := -1
	for i := range toks {
		if toks[i].Kind == textnorm.Han && hantFold[toks[i].Text] != "" {
			first = i
			break
		}
	}
	if first < 0 {
		return toks
	}
	folded := append((*buf)[:0], toks...)
	for i := first; i < len(folded); i++ {
		if folded[i].Kind != textnorm.Han {
			continue
		}
		if s := hantFold[folded[i].Text]; s != "" {
			folded[i].Text = s
		}
	}
	*buf = folded
	return folded
}

// foldHantString folds the traditional characters of a phrase word; a
// word that starts in ASCII is taken as one of Latin script and returned
// as it is.
func foldHantString(s string) string {
	if s == "" || s[0] < 0x80 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if f := hantFold[string(r)]; f != "" {
			b.WriteString(f)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}
